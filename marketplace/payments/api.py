"""Payments API: statements (payments, refunds) for payers and institutions, the payer's
transfer voucher, bank-transfer refunds completed by the institution, payee details, 发票
issue, and Stripe Connect payouts. Permissions live in the services and their querysets."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.accounts.models import Institution
from marketplace.api import (
    READ_ERRORS,
    WORKFLOW_ERRORS,
    file_download,
    validated,
)
from marketplace.api_views import ListView, list_schema
from marketplace.uploads import RawNameMultiPartParser, serve_private
from marketplace.workflow import NotFound, RuleError

from . import services
from .models import Invoice, PaymentKind, PaymentStatus
from .serializers import (
    CompleteRefundSerializer,
    IssueInvoiceSerializer,
    PayeeSerializer,
    PayeeUpdateSerializer,
    PaymentRowSerializer,
    TotalsSerializer,
    VoucherUploadSerializer,
    payment_row,
    totals_json,
)
from .services import connect_onboarding_link

TAGS = ["payments"]
STATEMENT_FILTERS = [
    OpenApiParameter("month", str, description="YYYY-MM (Asia/Shanghai), e.g. 2026-12"),
    OpenApiParameter("status", str, enum=PaymentStatus.values),
    OpenApiParameter("institution", str, description="code of the paid institution"),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
]
STATEMENT = inline_serializer(
    name="PaymentStatement",
    fields={
        "count": serializers.IntegerField(),
        "next": serializers.CharField(allow_null=True),
        "previous": serializers.CharField(allow_null=True),
        "results": PaymentRowSerializer(many=True),
        "totals": TotalsSerializer(),
    },
)


def _institution_filter(request) -> int | None:
    code = request.query_params.get("institution")
    if not code:
        return None
    institution = (
        Institution.objects.filter(code=code).only("pk").first()
        if "\x00" not in code and len(code) <= 64
        else None
    )
    if institution is None:
        raise RuleError(gettext("机构不存在"), "institution", field="institution")
    return institution.pk


STATEMENT_RESPONSES = {200: STATEMENT, 400: WORKFLOW_ERRORS[400], **READ_ERRORS}


class _StatementView(ListView):
    kind: str | None = None

    def rows(self, request):
        return services.statement(
            request.user,
            month=request.query_params.get("month"),
            status=request.query_params.get("status"),
            kind=self.kind,
            institution_id=_institution_filter(request),
        )

    def show(self, page) -> list:
        return [payment_row(row) for row in page]

    def more(self, rows) -> dict:
        return {"totals": totals_json(services.totals(rows))}


@list_schema(
    parameters=STATEMENT_FILTERS,
    responses=STATEMENT_RESPONSES,
    summary="收支明细 / payments and refunds, with totals",
    operation_id="payments_list",
    tags=TAGS,
)
class PaymentListView(_StatementView):
    """Payments and refunds: a payer sees theirs, a member their institutions' (the ledger)."""


@list_schema(
    parameters=STATEMENT_FILTERS,
    responses=STATEMENT_RESPONSES,
    summary="退款记录 / refunds, with totals",
    operation_id="refunds_list",
    tags=TAGS,
)
class RefundListView(_StatementView):
    """Refunds only, with their status and transfer reference."""

    kind = PaymentKind.REFUND


VOUCHER_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


def voucher_download(payment) -> FileResponse:
    """The payment's transfer voucher (PDF, PNG or JPEG, by its name) as a download; callers
    have checked that there is one and that the user may have it."""
    name = payment.voucher_name or f"voucher-{payment.pk}"
    extension = name[name.rfind(".") :].lower().replace(".jpeg", ".jpg")
    content_type = VOUCHER_TYPES.get(extension, "application/octet-stream")
    return serve_private(payment.voucher, name, content_type)


class VoucherView(APIView):
    """POST: the payer uploads the transfer voucher and their reference. GET: the payer or a
    member of the paid institution downloads it (private)."""

    permission_classes = [IsAuthenticated]
    parser_classes = [RawNameMultiPartParser, JSONParser]

    @extend_schema(
        responses=file_download("application/pdf", "image/png", "image/jpeg"),
        summary="下载转账凭证 / download the transfer voucher",
        operation_id="payments_voucher_download",
        tags=TAGS,
    )
    def get(self, request, pk: int):
        payment = services.payment_for(request.user, pk)
        if not payment.voucher:
            raise NotFound(gettext("尚未上传转账凭证"))
        return voucher_download(payment)

    @extend_schema(
        request={"multipart/form-data": VoucherUploadSerializer},
        responses={201: PaymentRowSerializer, **WORKFLOW_ERRORS},
        summary="上传转账凭证 / upload the transfer voucher (payer)",
        operation_id="payments_voucher_upload",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        payment = services.payment_for(request.user, pk)
        body = validated(VoucherUploadSerializer, request.data)
        reference = body["reference"] or body["payer_reference"]
        services.attach_voucher(payment, request.user, body["file"], reference)
        return Response(
            payment_row(services.statement(request.user).get(pk=payment.pk)),
            status=201,  # API.md: the voucher is a new upload
        )


class CompleteRefundView(APIView):
    """A member of the paid institution records the bank transfer back to the payer."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=CompleteRefundSerializer,
        responses={200: PaymentRowSerializer, **WORKFLOW_ERRORS},
        summary="登记退款已转出 / record a bank-transfer refund as paid back (institution)",
        operation_id="refunds_complete",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        refund = services.payment_for(request.user, pk)
        body = validated(CompleteRefundSerializer, request.data)
        services.complete_offline_refund(refund, request.user, body["reference"])
        return Response(payment_row(services.statement(request.user).get(pk=refund.pk)))


class IssueInvoiceView(APIView):
    """A member of the paid institution records the 发票 asked for with a payment as issued."""

    permission_classes = [IsAuthenticated]
    parser_classes = [RawNameMultiPartParser, JSONParser]

    @extend_schema(
        request={
            "multipart/form-data": IssueInvoiceSerializer,
            "application/json": IssueInvoiceSerializer,
        },
        responses={200: PaymentRowSerializer, **WORKFLOW_ERRORS},
        summary="登记发票已开具 / record the invoice as issued (institution)",
        operation_id="payments_invoice_issue",
        tags=TAGS,
    )
    def post(self, request, pk: int):
        payment = services.payment_for(request.user, pk)
        invoice = Invoice.objects.filter(payment=payment).first()
        if invoice is None:
            raise NotFound(gettext("该付款未申请发票"))
        body = validated(IssueInvoiceSerializer, request.data)
        services.issue_invoice(
            invoice,
            request.user,
            number=body["number"],
            issued_on=body["issued_on"],
            uploaded=body.get("pdf"),
        )
        return Response(payment_row(services.statement(request.user).get(pk=payment.pk)))


class PayeeView(APIView):
    """A manager sets where bank transfers to their institution go (户名, 开户行, 账号)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=PayeeUpdateSerializer,
        responses={200: PayeeSerializer, **WORKFLOW_ERRORS},
        summary="设置收款信息 / set the bank-transfer payee details (manager)",
        operation_id="institutions_payee_update",
        tags=TAGS,
    )
    def put(self, request, code: str):
        institution = Institution.objects.for_member(request.user).filter(code=code).first()
        if institution is None:
            return Response({"detail": gettext("机构不存在")}, status=404)
        services.set_payee(
            institution, request.user, **validated(PayeeUpdateSerializer, request.data)
        )
        return Response(
            {
                "account_name": institution.payee_account_name,
                "bank": institution.payee_bank,
                "account_number": institution.payee_account_number,
            }
        )


class StripeConnectView(APIView):
    """A manager gets the Stripe Connect onboarding link for their institution."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(name="ConnectLink", fields={"url": serializers.CharField()}),
            **WORKFLOW_ERRORS,
        },
        summary="Stripe 收款账户设置 / Stripe Connect onboarding",
        tags=TAGS,
    )
    def post(self, request, code: str):
        institution = Institution.objects.for_member(request.user).filter(code=code).first()
        if institution is None:
            return Response({"detail": gettext("机构不存在")}, status=404)
        if not settings.STRIPE_SECRET_KEY:
            return Response(
                {"errors": {"non_field_errors": [gettext("未启用在线支付")]}},
                status=400,
            )
        back = request.build_absolute_uri(f"/institutions/{institution.code}/")
        url = connect_onboarding_link(institution, request.user, refresh_url=back, return_url=back)
        return Response({"url": url})
