"""What paying looks like in the API, for every payable."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.accounts.validators import validate_credit_code
from marketplace.api import MoneySerializer, local_iso
from marketplace.money import money_json

from .models import InvoiceKind, PaymentMethod
from .payables import spec_for


class InvoiceRequestSerializer(serializers.Serializer):
    """发票 asked for with a payment; the tax id is a 统一社会信用代码."""

    title = serializers.CharField(max_length=200, label=_("发票抬头"))
    tax_id = serializers.CharField(
        max_length=18, validators=[validate_credit_code], label=_("纳税人识别号")
    )
    kind = serializers.ChoiceField(choices=InvoiceKind.choices, label=_("发票类型"))
    email = serializers.EmailField(label=_("接收邮箱"))


class PayRequestSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    invoice = InvoiceRequestSerializer(required=False, allow_null=True)


class PayeeSerializer(serializers.Serializer):
    account_name = serializers.CharField()
    bank = serializers.CharField(allow_blank=True)
    account_number = serializers.CharField(allow_blank=True)


class PayResponseSerializer(serializers.Serializer):
    """What paying answers: a Checkout URL for Stripe, or bank-transfer instructions."""

    method = serializers.CharField()
    payment = serializers.IntegerField(required=False)
    checkout_url = serializers.CharField(required=False)
    session_id = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    payee = PayeeSerializer(required=False)
    reference_code = serializers.CharField(required=False)
    amount = MoneySerializer(required=False)
    deadline = serializers.CharField(required=False, allow_null=True)
    instructions = serializers.CharField(required=False)


class InvoiceSerializer(serializers.Serializer):
    """A 发票 as both sides see it."""

    title = serializers.CharField()
    tax_id = serializers.CharField()
    kind = serializers.CharField()
    email = serializers.CharField()
    status = serializers.CharField()
    number = serializers.CharField()
    issued_on = serializers.DateField(allow_null=True)
    has_pdf = serializers.BooleanField()


class PaymentRowSerializer(serializers.Serializer):
    """One payment or refund in a statement (GET /api/v1/payments/, /refunds/)."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    method = serializers.CharField()
    status = serializers.CharField()
    amount = MoneySerializer()
    reference_code = serializers.CharField(help_text="汇款附言 of a bank transfer")
    reference = serializers.CharField(help_text="the confirming side's transfer reference")
    payer_reference = serializers.CharField()
    has_voucher = serializers.BooleanField()
    deadline = serializers.CharField(allow_null=True)
    refund_of = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    payable = serializers.DictField(
        child=serializers.CharField(), help_text='{"type": "booking", "id": "12", "url": …}'
    )
    institution = serializers.CharField(help_text="code of the paid institution")
    payer = serializers.CharField()
    invoice = InvoiceSerializer(allow_null=True)
    created_at = serializers.CharField()


class TotalsSerializer(serializers.Serializer):
    received = MoneySerializer()
    refunded = MoneySerializer()
    net = MoneySerializer()
    pending = MoneySerializer()
    refunds_pending = MoneySerializer()


class VoucherUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="转账凭证: PDF, JPEG or PNG")
    # The payer's own transfer number: `reference` as API.md names it; `payer_reference`, the
    # name the payment row answers with, is accepted too.
    reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", label=_("付款方转账流水号")
    )
    payer_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default="", label=_("付款方转账流水号")
    )


class CompleteRefundSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, label=_("退款转账流水号"))


class PayeeUpdateSerializer(serializers.Serializer):
    account_name = serializers.CharField(max_length=200, label=_("收款户名"))
    bank = serializers.CharField(max_length=200, label=_("开户行"))
    account_number = serializers.RegexField(
        r"^[0-9 -]{6,40}$",
        max_length=40,
        label=_("收款账号"),
        error_messages={"invalid": _("账号只能包含数字、空格和连字符（6–40 位）")},
    )


class IssueInvoiceSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=64, label=_("发票号码"))
    issued_on = serializers.DateField(label=_("开票日期"))
    pdf = serializers.FileField(required=False, help_text="the issued 发票 as a PDF (optional)")


def _invoice_json(payment) -> dict | None:
    try:
        invoice = payment.invoice
    except ObjectDoesNotExist:
        return None
    return {
        "title": invoice.title,
        "tax_id": invoice.tax_id,
        "kind": invoice.kind,
        "email": invoice.email,
        "status": invoice.status,
        "number": invoice.number,
        "issued_on": invoice.issued_on.isoformat() if invoice.issued_on else None,
        "has_pdf": bool(invoice.pdf),
    }


def payment_row(payment) -> dict:
    """A payment or refund as statements show it (the payable and its institution come from
    the statement's select_related: no query per row)."""
    payable = payment.payable
    kind = payable._meta.model_name
    institution = spec_for(payable).institution(payable)
    return {
        "id": payment.pk,
        "kind": payment.kind,
        "method": payment.method,
        "status": payment.status,
        "amount": money_json(payment.amount),
        "reference_code": payment.reference_code,
        "reference": payment.reference,
        "payer_reference": payment.payer_reference,
        "has_voucher": bool(payment.voucher),
        "deadline": local_iso(payment.deadline),
        "refund_of": payment.refund_of_id,
        "note": payment.note_text,
        "payable": {"type": kind, "id": str(payable.pk), "url": payable.get_absolute_url()},
        "institution": institution.code,
        "payer": payable.user.get_full_name() or payable.user.username,
        "invoice": _invoice_json(payment),
        "created_at": local_iso(payment.created_at),
    }


def totals_json(sums: dict) -> dict:
    return {name: money_json(value) for name, value in sums.items()}
