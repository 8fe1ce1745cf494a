"""Payments API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("payments/", api.PaymentListView.as_view(), name="payment-list"),
    *api.urlpatterns,
    path("refunds/", api.RefundListView.as_view(), name="refund-list"),
]
