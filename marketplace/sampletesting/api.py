"""Sample-testing API (送样检测): thin views over marketplace.sampletesting.services.

Refusals raised by the services (marketplace.workflow) become 400/403/404/409 in the project's
exception handler, so the views only parse input and call one service.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import (
    WORKFLOW_ERRORS,
    DetailSerializer,
    MoneySerializer,
    Pagination,
    TransitionSerializer,
    local_iso,
    paginated,
)
from marketplace.catalogue.models import Instrument
from marketplace.money import money_json
from marketplace.payments.models import Payment
from marketplace.payments.serializers import PayRequestSerializer, PayResponseSerializer
from marketplace.uploads import RawNameMultiPartParser, serve_private
from marketplace.workflow import NotFound, bilingual

from . import services
from .models import SampleOrder, SampleOrderTransition

TAGS = ["sample-testing"]


class SampleOrderTransitionSerializer(TransitionSerializer):
    class Meta(TransitionSerializer.Meta):
        model = SampleOrderTransition


class SampleOrderPaymentSerializer(serializers.ModelSerializer):
    amount = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["kind", "method", "status", "amount", "reference"]

    def get_amount(self, obj) -> MoneySerializer:
        return money_json(obj.amount)


class SampleOrderSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code")
    instrument_name = serializers.CharField(source="instrument.name")
    price = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()
    has_report = serializers.SerializerMethodField()

    class Meta:
        model = SampleOrder
        fields = [
            "id",
            "instrument",
            "instrument_name",
            "status",
            "sample_count",
            "sample_description",
            "test_items",
            "notes",
            "price",
            "turnaround_days",
            "quote_note",
            "decline_reason",
            "has_report",
            "created_at",
        ]

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_price(self, obj):
        return money_json(obj.price)

    def get_created_at(self, obj) -> str:
        return local_iso(obj.created_at)

    def get_has_report(self, obj) -> bool:
        return bool(obj.report)


class SampleOrderDetailSerializer(SampleOrderSerializer):
    transitions = SampleOrderTransitionSerializer(many=True)
    payments = SampleOrderPaymentSerializer(many=True)

    class Meta(SampleOrderSerializer.Meta):
        fields = [*SampleOrderSerializer.Meta.fields, "transitions", "payments"]


class SampleOrderRequestSerializer(serializers.Serializer):
    sample_count = serializers.IntegerField(min_value=1, max_value=services.MAX_SAMPLES)
    sample_description = serializers.CharField(max_length=4000)
    test_items = serializers.CharField(max_length=4000)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class QuoteSerializer(serializers.Serializer):
    price = serializers.CharField(max_length=20, help_text='yuan as a decimal string, "1200.00"')
    turnaround_days = serializers.IntegerField(min_value=1, max_value=services.MAX_TURNAROUND_DAYS)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class ReferenceSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)


class PayMethodSerializer(PayRequestSerializer):
    """Named as the sample-testing API always named it."""


class ReceiveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _detail_queryset():
    return SampleOrder.objects.for_pages().prefetch_related(
        Prefetch("transitions", queryset=SampleOrderTransition.objects.order_by("at", "pk")),
        Prefetch("payments", queryset=Payment.objects.order_by("created_at", "pk")),
    )


def _detail(order: SampleOrder) -> dict:
    return SampleOrderDetailSerializer(_detail_queryset().get(pk=order.pk)).data


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
        instrument = (
            Instrument.objects.published().select_related("institution").filter(code=code).first()
        )
        if instrument is None:
            raise NotFound(bilingual("仪器不存在", "instrument not found"))
        data = SampleOrderRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = services.request_order(request.user, instrument, **data.validated_data)
        return Response(_detail(order), status=status.HTTP_201_CREATED)


class SampleOrderListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: paginated("PaginatedSampleOrderList", SampleOrderSerializer),
            401: DetailSerializer,
            404: DetailSerializer,
        },
        summary="我的送样检测与本单位的委托 / My and my institution's sample-testing orders",
        operation_id="sample_orders_list",
        tags=TAGS,
    )
    def get(self, request):
        orders = (
            SampleOrder.objects.visible_to(request.user)
            .select_related("instrument")
            .order_by("-created_at", "-pk")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(orders, request, view=self)
        return paginator.get_paginated_response(SampleOrderSerializer(page, many=True).data)


class SampleOrderDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: SampleOrderDetailSerializer, 401: DetailSerializer, 404: DetailSerializer},
        operation_id="sample_orders_retrieve",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        return Response(_detail(services.get_order_for(request.user, pk)))


class SampleOrderActionView(APIView):
    """POST /sample-orders/{id}/<action>/: validate the body, call one service."""

    permission_classes = [IsAuthenticated]
    body: type[serializers.Serializer] | None = None

    def perform(self, order: SampleOrder, by, data: dict, request):
        raise NotImplementedError

    def post(self, request, pk: int):
        order = services.get_order_for(request.user, pk)
        data = {}
        if self.body is not None:
            body = self.body(data=request.data)
            body.is_valid(raise_exception=True)
            data = body.validated_data
        result = self.perform(order, request.user, data, request)
        if isinstance(result, Response):
            return result
        return Response(_detail(order))


def _action(name: str, summary: str, body=None, response=None):
    return extend_schema(
        request=body,
        responses={200: response or SampleOrderDetailSerializer, **WORKFLOW_ERRORS},
        summary=summary,
        operation_id=f"sample_orders_{name}",
        tags=TAGS,
    )


class QuoteView(SampleOrderActionView):
    body = QuoteSerializer

    @_action("quote", "报价 / quote (institution)", QuoteSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        services.quote(order, by, data["price"], data["turnaround_days"], data["note"])


class AcceptQuoteView(SampleOrderActionView):
    @_action("accept_quote", "接受报价 / accept the quote (requester)")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        services.accept_quote(order, by)


class DeclineView(SampleOrderActionView):
    body = RequiredReasonSerializer

    @_action("decline", "谢绝委托 / decline (institution)", RequiredReasonSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        services.decline(order, by, data["reason"])


REFUND_RESPONSE = inline_serializer(
    name="SampleOrderCancelResponse",
    fields={"order": SampleOrderDetailSerializer(), "refund": MoneySerializer()},
)


class CancelView(SampleOrderActionView):
    body = ReasonSerializer

    @_action("cancel", "取消 / cancel (refund per policy)", ReasonSerializer, REFUND_RESPONSE)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        order, refund = services.cancel(order, by, data["reason"])
        return Response({"order": _detail(order), "refund": money_json(refund)})


class PayView(SampleOrderActionView):
    body = PayMethodSerializer

    @_action(
        "pay",
        "付款 / pay (requester)",
        PayMethodSerializer,
        PayResponseSerializer,
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        return Response(
            services.pay(
                order,
                by,
                data["method"],
                return_url=request.build_absolute_uri(order.get_absolute_url()),
            )
        )


class ConfirmOfflinePaymentView(SampleOrderActionView):
    body = ReferenceSerializer

    @_action(
        "confirm_offline_payment",
        "确认到账 / confirm bank transfer (institution)",
        ReferenceSerializer,
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        services.confirm_offline_payment(order, by, data["reference"])


class ReceiveSamplesView(SampleOrderActionView):
    body = ReceiveSerializer

    @_action("receive_samples", "样品已接收 / samples received (institution)", ReceiveSerializer)
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        services.receive_samples(order, by, data["note"])


class CompleteView(SampleOrderActionView):
    @_action("complete", "完成 / complete")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, order, by, data, request):
        services.complete(order, by)


class ReportView(APIView):
    """GET downloads the PDF report (requester or institution); POST uploads it (institution)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [RawNameMultiPartParser, JSONParser]

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            401: DetailSerializer,
            404: DetailSerializer,
        },
        summary="下载检测报告 / download the test report",
        operation_id="sample_orders_report_download",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        order = services.get_order_for(request.user, pk)
        if not order.report:
            raise NotFound(bilingual("报告尚未出具", "no report yet"))
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
                {
                    "errors": {
                        "report": [bilingual("请上传 PDF 报告", "upload the report as a PDF")]
                    }
                },
                status=400,
            )
        services.deliver_report(order, request.user, uploaded)
        return Response(_detail(order))
