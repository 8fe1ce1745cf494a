"""Payments API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("payments/", api.PaymentListView.as_view(), name="payment-list"),
    path("payments/<int:pk>/voucher/", api.VoucherView.as_view(), name="payment-voucher"),
    path(
        "payments/<int:pk>/invoice/issue/",
        api.IssueInvoiceView.as_view(),
        name="payment-invoice-issue",
    ),
    path("refunds/", api.RefundListView.as_view(), name="refund-list"),
    path("refunds/<int:pk>/complete/", api.CompleteRefundView.as_view(), name="refund-complete"),
    path("institutions/<str:code>/payee/", api.PayeeView.as_view(), name="institution-payee"),
    path(
        "institutions/<str:code>/stripe-connect/",
        api.StripeConnectView.as_view(),
        name="institution-stripe-connect",
    ),
]
