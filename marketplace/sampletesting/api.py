"""Sample-testing API (送样检测): thin views over marketplace.sampletesting.services.

Refusals raised by the services (marketplace.workflow) become 400/403/404/409 in the project's
exception handler. The actions' endpoints are generated from the order's table of actions
(`actions.SAMPLE_ORDER_ACTIONS`); the report's upload and download stay one endpoint here.
"""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers, status

from marketplace.api import file_download
from marketplace.api_views import Endpoint, ListView, endpoint_urlpatterns, workflow_urlpatterns
from marketplace.catalogue.models import Instrument
from marketplace.uploads import UPLOAD_PARSERS, serve_private
from marketplace.workflow import NotFound

from . import services
from .actions import SAMPLE_ORDER_ACTIONS
from .models import SampleOrder
from .serializers import (
    SampleOrderDetailSerializer,
    SampleOrderRequestSerializer,
    SampleOrderSerializer,
    order_detail,
)

TAGS = ["sample-testing"]


class SampleOrderListView(ListView):
    serializer_class = SampleOrderSerializer

    def rows(self, request):
        visible = services.HOLDS.shown(SampleOrder.objects.visible_to(request.user))
        return visible.select_related("instrument").order_by("-created_at", "-pk")


def _report(order, result, user):
    if not order.report:
        raise NotFound(gettext("报告尚未出具"))
    return serve_private(order.report, order.report_name or f"report-{order.pk}.pdf")


def _deliver_report(order, user, data: dict, request) -> None:
    uploaded = request.FILES.get("report")
    if uploaded is None:
        raise serializers.ValidationError({"report": [gettext("请上传 PDF 报告")]})
    services.deliver_report(order, user, uploaded)


REPORT = "GET downloads the PDF report (requester or institution); POST uploads it (institution)."
REPORT_UPLOAD = inline_serializer(
    name="SampleOrderReportUpload", fields={"report": serializers.FileField()}
)
ENDPOINTS = [
    Endpoint("instruments/<str:code>/sample-orders/", "instrument-sample-orders",
             lambda user, code: Instrument.objects.published_or_raise(
                 code, NotFound(gettext("仪器不存在"))),
             lambda instrument, user, data, request: services.request_order(
                 user, instrument, **data),
             lambda instrument, order, user: order_detail(order),
             input=SampleOrderRequestSerializer, status=status.HTTP_201_CREATED,
             response=SampleOrderDetailSerializer,
             summary="委托送样检测 / Request sample testing", operation_id="sample_orders_create",
             description="POST /instruments/{code}/sample-orders/: ask for a quote."),
    Endpoint("sample-orders/<int:pk>/report/", "sample-order-report", services.get_order_for,
             None, _report, method="get", responses=file_download("application/pdf"),
             summary="下载检测报告 / download the test report",
             operation_id="sample_orders_report_download", description=REPORT),
    Endpoint("sample-orders/<int:pk>/report/", "sample-order-report", services.get_order_for,
             _deliver_report, lambda order, result, user: order_detail(order),
             request={"multipart/form-data": REPORT_UPLOAD}, parsers=UPLOAD_PARSERS,
             response=SampleOrderDetailSerializer,
             summary="上传检测报告 / upload the test report (institution, PDF)",
             operation_id="sample_orders_report_upload", description=REPORT),
]  # fmt: skip


# The endpoints above, then GET and POST {prefix}/, GET {prefix}/<pk>/ and its actions.
urlpatterns = endpoint_urlpatterns(ENDPOINTS, tags=TAGS) + workflow_urlpatterns(
    SAMPLE_ORDER_ACTIONS,
    "sample-orders",
    SampleOrderListView,
    order_detail,
    SampleOrderDetailSerializer,
    tags=TAGS,
    operation_prefix="sample_orders",
    list_page="PaginatedSampleOrderList",
    list_summary="我的送样检测与本单位的委托 / My and my institution's sample-testing orders",
)
