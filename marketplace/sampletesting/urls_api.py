"""送样检测 API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "instruments/<str:code>/sample-orders/",
        api.InstrumentSampleOrdersView.as_view(),
        name="instrument-sample-orders",
    ),
    path("sample-orders/", api.SampleOrderListView.as_view(), name="sample-order-list"),
    path(
        "sample-orders/<int:pk>/", api.SampleOrderDetailView.as_view(), name="sample-order-detail"
    ),
    path("sample-orders/<int:pk>/quote/", api.QuoteView.as_view(), name="sample-order-quote"),
    path(
        "sample-orders/<int:pk>/accept-quote/",
        api.AcceptQuoteView.as_view(),
        name="sample-order-accept-quote",
    ),
    path("sample-orders/<int:pk>/decline/", api.DeclineView.as_view(), name="sample-order-decline"),
    path("sample-orders/<int:pk>/pay/", api.PayView.as_view(), name="sample-order-pay"),
    path(
        "sample-orders/<int:pk>/confirm-offline-payment/",
        api.ConfirmOfflinePaymentView.as_view(),
        name="sample-order-confirm-offline-payment",
    ),
    path(
        "sample-orders/<int:pk>/receive-samples/",
        api.ReceiveSamplesView.as_view(),
        name="sample-order-receive-samples",
    ),
    path("sample-orders/<int:pk>/report/", api.ReportView.as_view(), name="sample-order-report"),
    path(
        "sample-orders/<int:pk>/complete/", api.CompleteView.as_view(), name="sample-order-complete"
    ),
    path("sample-orders/<int:pk>/cancel/", api.CancelView.as_view(), name="sample-order-cancel"),
]
