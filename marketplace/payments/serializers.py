"""What paying looks like in the API, for every payable."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.accounts.validators import validate_credit_code
from marketplace.api import MoneySerializer

from .models import InvoiceKind, PaymentMethod


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
