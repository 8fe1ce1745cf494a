"""意向洽谈 API routes, included under /api/v1/ (before the catalogue router)."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "technologies/<str:code>/inquiries/",
        api.TechnologyInquiryCreateView.as_view(),
        name="technology-inquiries",
    ),
    *api.urlpatterns,
]
