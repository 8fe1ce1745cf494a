"""How a booking looks in the API."""

from __future__ import annotations

from rest_framework import serializers

from marketplace.api import ModelSerializer, MoneyField, transition_serializer

from .models import Booking, BookingTransition

BookingTransitionSerializer = transition_serializer(
    "BookingTransitionSerializer", BookingTransition
)


class BookingSerializer(ModelSerializer):
    instrument = serializers.CharField(source="instrument.code")
    instrument_name = serializers.CharField(source="instrument.name")
    price = MoneyField()

    class Meta:
        model = Booking
        fields = [
            "id",
            "instrument",
            "instrument_name",
            "status",
            "start",
            "end",
            "purpose",
            "price",
            "internal_rate",
            "hold_expires_at",
            "reject_reason",
            "actual_minutes",
        ]


class BookingDetailSerializer(BookingSerializer):
    transitions = BookingTransitionSerializer(many=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "transitions"]
