"""送样检测 API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "instruments/<str:code>/sample-orders/",
        api.InstrumentSampleOrdersView.as_view(),
        name="instrument-sample-orders",
    ),
    path("sample-orders/<int:pk>/report/", api.ReportView.as_view(), name="sample-order-report"),
    *api.urlpatterns,
]
