"""Sample-testing API (送样检测): thin views over marketplace.sampletesting.services.

Refusals raised by the services (marketplace.workflow) become 400/403/404/409 in the project's
exception handler. The actions' endpoints are generated from the order's table of actions
(`actions.SAMPLE_ORDER_ACTIONS`); the report's upload and download stay one endpoint here.
"""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import (
    WORKFLOW_ERRORS,
    file_download,
    validated,
    workflow_urlpatterns,
)
from marketplace.api_views import ListView, list_schema
from marketplace.catalogue.models import Instrument
from marketplace.uploads import RawNameMultiPartParser, serve_private
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


class InstrumentSampleOrdersView(APIView):
    """POST /instruments/{code}/sample-orders/: ask for a quote."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=SampleOrderRequestSerializer,
        responses={201: SampleOrderDetailSerializer, **WORKFLOW_ERRORS},
        summary="委托送样检测 / Request sample testing",
        operation_id="sample_orders_create",
        tags=TAGS,
    )
    def post(self, request, code: str):
        instrument = Instrument.objects.published_or_raise(code, NotFound(gettext("仪器不存在")))
        data = validated(SampleOrderRequestSerializer, request.data)
        order = services.request_order(request.user, instrument, **data)
        return Response(order_detail(order), status=status.HTTP_201_CREATED)


@list_schema(
    "PaginatedSampleOrderList",
    SampleOrderSerializer,
    summary="我的送样检测与本单位的委托 / My and my institution's sample-testing orders",
    operation_id="sample_orders_list",
    tags=TAGS,
)
class SampleOrderListView(ListView):
    serializer_class = SampleOrderSerializer

    def rows(self, request):
        visible = SampleOrder.objects.visible_to(request.user)
        services.expire_visible_overdue(visible)
        return visible.select_related("instrument").order_by("-created_at", "-pk")


class ReportView(APIView):
    """GET downloads the PDF report (requester or institution); POST uploads it (institution)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [RawNameMultiPartParser, JSONParser]

    @extend_schema(
        responses=file_download("application/pdf"),
        summary="下载检测报告 / download the test report",
        operation_id="sample_orders_report_download",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        order = services.get_order_for(request.user, pk)
        if not order.report:
            raise NotFound(gettext("报告尚未出具"))
        return serve_private(order.report, order.report_name or f"report-{order.pk}.pdf")

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                name="SampleOrderReportUpload", fields={"report": serializers.FileField()}
            )
        },
        responses={200: SampleOrderDetailSerializer, **WORKFLOW_ERRORS},
        summary="上传检测报告 / upload the test report (institution, PDF)",
        operation_id="sample_orders_report_upload",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        order = services.get_order_for(request.user, pk)
        uploaded = request.FILES.get("report")
        if uploaded is None:
            return Response(
                {"errors": {"report": [gettext("请上传 PDF 报告")]}},
                status=400,
            )
        services.deliver_report(order, request.user, uploaded)
        return Response(order_detail(order))


# GET and POST {prefix}/, GET {prefix}/<pk>/ and its actions (included by urls_api).
urlpatterns = workflow_urlpatterns(
    SAMPLE_ORDER_ACTIONS,
    "sample-orders",
    SampleOrderListView,
    order_detail,
    SampleOrderDetailSerializer,
    tags=TAGS,
    operation_prefix="sample_orders",
)
