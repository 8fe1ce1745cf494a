"""What paying looks like in the API, for every payable."""

from __future__ import annotations

from rest_framework import serializers

from marketplace.api import MoneySerializer

from .models import PaymentMethod


class PayRequestSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)


class PayResponseSerializer(serializers.Serializer):
    """What paying answers: a Checkout URL for Stripe, or bank-transfer instructions."""

    method = serializers.CharField()
    checkout_url = serializers.CharField(required=False)
    session_id = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    amount = MoneySerializer(required=False)
    instructions = serializers.CharField(required=False)
