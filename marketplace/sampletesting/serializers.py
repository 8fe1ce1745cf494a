"""The sample-testing API's bodies: one set of rules for the API and the pages' actions."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from marketplace.api import (
    HasFileField,
    ModelSerializer,
    MoneyField,
    reason_serializer,
    transition_serializer,
)
from marketplace.payments.models import Payment
from marketplace.payments.serializers import PayRequestSerializer

from . import services
from .models import SampleOrder, SampleOrderTransition

SampleOrderTransitionSerializer = transition_serializer(
    "SampleOrderTransitionSerializer", SampleOrderTransition
)


class SampleOrderPaymentSerializer(ModelSerializer):
    amount = MoneyField()

    class Meta:
        model = Payment
        fields = ["kind", "method", "status", "amount", "reference"]


class SampleOrderSerializer(ModelSerializer):
    instrument = serializers.CharField(source="instrument.code")
    instrument_name = serializers.CharField(source="instrument.name")
    price = MoneyField(allow_null=True)
    has_report = HasFileField(source="report")

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
            "quote_version",
            "decline_reason",
            "has_report",
            # Until when an accepted quote waits for its payment (null when not awaiting it).
            "hold_expires_at",
            "created_at",
        ]


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


class AcceptQuoteSerializer(serializers.Serializer):
    """The quote version the requester saw (`quote_version` of the order); a newer quote
    makes the accept a 409 stale_quote."""

    quote_version = serializers.IntegerField(min_value=1, label=_("报价版本"))


ReasonSerializer = reason_serializer("ReasonSerializer", required=False)
RequiredReasonSerializer = reason_serializer("RequiredReasonSerializer", required=True)


class ReferenceSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100)


class PayMethodSerializer(PayRequestSerializer):
    """Named as the sample-testing API always named it."""


class ReportSerializer(serializers.Serializer):
    """The pages' upload of the PDF report (the API's upload is its own multipart endpoint)."""

    report = serializers.FileField(
        allow_empty_file=True,
        error_messages={
            "required": _("请选择 PDF 格式的检测报告。"),
            "invalid": _("请选择 PDF 格式的检测报告。"),
        },
    )


class ReceiveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def detail_queryset():
    return SampleOrder.objects.for_pages().prefetch_related(
        Prefetch("transitions", queryset=SampleOrderTransition.objects.order_by("at", "pk")),
        Prefetch("payments", queryset=Payment.objects.order_by("created_at", "pk")),
    )


def order_detail(order: SampleOrder, user=None) -> dict:
    """The order as the API shows it, with its log and payments."""
    return SampleOrderDetailSerializer(detail_queryset().get(pk=order.pk)).data
