"""Payments API: statements (payments, refunds) for payers and institutions, the payer's
transfer voucher, bank-transfer refunds completed by the institution, payee details, 发票
issue, and Stripe Connect payouts. Permissions live in the services and their querysets."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiParameter,
    inline_serializer,
)
from rest_framework import exceptions, serializers

from marketplace.accounts.models import Institution
from marketplace.api import READ_ERRORS, WORKFLOW_ERRORS, file_download
from marketplace.api_views import Endpoint, ListView, endpoint_urlpatterns, list_schema
from marketplace.uploads import UPLOAD_PARSERS, serve_private
from marketplace.workflow import NotFound, RuleError, call

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


def _statement_row(user, pk: int) -> dict:
    """Payment `pk` as the person's statement now shows it."""
    return payment_row(services.statement(user).get(pk=pk))


def _voucher_file(payment, result, user) -> FileResponse:
    if not payment.voucher:
        raise NotFound(gettext("尚未上传转账凭证"))
    return voucher_download(payment)


def _attach_voucher(payment, user, body: dict, request) -> None:
    reference = body["reference"] or body["payer_reference"]
    services.attach_voucher(payment, user, body["file"], reference)


def _invoice_of(user, pk: int) -> Invoice:
    """The 发票 asked for with payment `pk` of the person's statement; else 404."""
    invoice = Invoice.objects.filter(payment=services.payment_for(user, pk)).first()
    if invoice is None:
        raise NotFound(gettext("该付款未申请发票"))
    return invoice


def _issue_invoice(invoice, user, body: dict, request) -> None:
    services.issue_invoice(
        invoice, user, number=body["number"], issued_on=body["issued_on"], uploaded=body.get("pdf")
    )


def _member_institution(user, code: str) -> Institution:
    """The institution `code` if the person is one of its members; else 404."""
    institution = Institution.objects.for_member(user).filter(code=code).first()
    if institution is None:
        raise exceptions.NotFound(gettext("机构不存在"))
    return institution


def _payee(institution, result, user) -> dict:
    return {
        "account_name": institution.payee_account_name,
        "bank": institution.payee_bank,
        "account_number": institution.payee_account_number,
    }


def _connect_link(institution, user, data: dict, request) -> dict:
    if not settings.STRIPE_SECRET_KEY:
        raise serializers.ValidationError(gettext("未启用在线支付"))
    back = request.build_absolute_uri(f"/institutions/{institution.code}/")
    return {"url": connect_onboarding_link(institution, user, refresh_url=back, return_url=back)}


def _row(payment, result, user) -> dict:
    return _statement_row(user, payment.pk)


VOUCHER = (
    "POST: the payer uploads the transfer voucher and their reference. GET: the payer or a\n"
    "member of the paid institution downloads it (private)."
)
FILES = file_download("application/pdf", "image/png", "image/jpeg")
ENDPOINTS = [
    Endpoint("payments/<int:pk>/voucher/", "payment-voucher", services.payment_for, None,
             _voucher_file, method="get", responses=FILES, description=VOUCHER,
             summary="下载转账凭证 / download the transfer voucher",
             operation_id="payments_voucher_download"),
    Endpoint("payments/<int:pk>/voucher/", "payment-voucher", services.payment_for,
             _attach_voucher, _row, input=VoucherUploadSerializer,
             request={"multipart/form-data": VoucherUploadSerializer}, parsers=UPLOAD_PARSERS,
             status=201,  # API.md: the voucher is a new upload
             response=PaymentRowSerializer, description=VOUCHER,
             summary="上传转账凭证 / upload the transfer voucher (payer)",
             operation_id="payments_voucher_upload"),
    Endpoint("payments/<int:pk>/invoice/issue/", "payment-invoice-issue", _invoice_of,
             _issue_invoice, lambda invoice, result, user: _statement_row(user, invoice.payment_id),
             input=IssueInvoiceSerializer, parsers=UPLOAD_PARSERS,
             request={"multipart/form-data": IssueInvoiceSerializer,
                      "application/json": IssueInvoiceSerializer},
             response=PaymentRowSerializer,
             summary="登记发票已开具 / record the invoice as issued (institution)",
             operation_id="payments_invoice_issue",
             description="A member of the paid institution records the 发票 asked for with a "
             "payment as issued."),
    Endpoint("refunds/<int:pk>/complete/", "refund-complete", services.payment_for,
             call(services.complete_offline_refund, "reference"), _row,
             input=CompleteRefundSerializer, response=PaymentRowSerializer,
             summary="登记退款已转出 / record a bank-transfer refund as paid back (institution)",
             operation_id="refunds_complete",
             description="A member of the paid institution records the bank transfer back to "
             "the payer."),
    Endpoint("institutions/<str:code>/payee/", "institution-payee", _member_institution,
             lambda institution, user, data, request: services.set_payee(institution, user, **data),
             _payee, method="put", input=PayeeUpdateSerializer, response=PayeeSerializer,
             summary="设置收款信息 / set the bank-transfer payee details (manager)",
             operation_id="institutions_payee_update",
             description="A manager sets where bank transfers to their institution go (户名, "
             "开户行, 账号)."),
    Endpoint("institutions/<str:code>/stripe-connect/", "institution-stripe-connect",
             _member_institution, _connect_link, lambda institution, link, user: link,
             response=inline_serializer(name="ConnectLink", fields={"url": serializers.CharField()}),
             summary="Stripe 收款账户设置 / Stripe Connect onboarding",
             description="A manager gets the Stripe Connect onboarding link for their "
             "institution."),
]  # fmt: skip
urlpatterns = endpoint_urlpatterns(ENDPOINTS, tags=TAGS)
