"""意向洽谈 API routes, included under /api/v1/ (before the catalogue router)."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "technologies/<str:code>/inquiries/",
        api.TechnologyInquiryCreateView.as_view(),
        name="technology-inquiries",
    ),
    path("inquiries/", api.InquiryListView.as_view(), name="inquiry-list"),
    path("inquiries/<int:pk>/", api.InquiryDetailView.as_view(), name="inquiry-detail"),
    *api.action_patterns,
]
