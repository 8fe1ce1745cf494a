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
    path("inquiries/<int:pk>/reply/", api.InquiryReplyView.as_view(), name="inquiry-reply"),
    path("inquiries/<int:pk>/agree/", api.InquiryAgreeView.as_view(), name="inquiry-agree"),
    path("inquiries/<int:pk>/close/", api.InquiryCloseView.as_view(), name="inquiry-close"),
    path(
        "inquiries/<int:pk>/grant-details/",
        api.InquiryGrantDetailsView.as_view(),
        name="inquiry-grant-details",
    ),
]
