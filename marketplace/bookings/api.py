"""Bookings API (API.md, "Workflows"): thin views over the booking services."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from marketplace.api import (
    WORKFLOW_ERRORS,
    validated,
)
from marketplace.api_views import ListView, list_schema
from marketplace.catalogue.models import Instrument

from . import services
from .models import Booking, BookingTransition
from .serializers import BookingDetailSerializer, BookingSerializer


class BookingRequestSerializer(serializers.Serializer):
    instrument = serializers.CharField(max_length=64)
    start = serializers.CharField(
        max_length=40, help_text="ISO 8601 with offset, e.g. 2026-12-07T09:00:00+08:00"
    )
    end = serializers.CharField(max_length=40)
    purpose = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def _moment(self, value: str) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            raise serializers.ValidationError(
                "不是有效的 ISO 8601 时间 / not an ISO 8601 datetime"
            ) from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise serializers.ValidationError(
                "时间必须带时区偏移（例如 +08:00）/ must include a UTC offset (e.g. +08:00)"
            )
        return moment

    def validate_start(self, value):
        return self._moment(value)

    def validate_end(self, value):
        return self._moment(value)


def _queryset():
    return Booking.objects.select_related("instrument__institution").prefetch_related(
        Prefetch("transitions", queryset=BookingTransition.objects.order_by("at", "pk"))
    )


@list_schema(
    "PaginatedBookingList", BookingSerializer, operation_id="bookings_list", tags=["bookings"]
)
class BookingListView(ListView):
    serializer_class = BookingSerializer

    def rows(self, request):
        visible = Booking.objects.visible_to(request.user)
        services.expire_visible_overdue(visible)
        return visible.select_related("instrument").order_by("-start", "-pk")

    @extend_schema(
        request=BookingRequestSerializer,
        responses={201: BookingSerializer, **WORKFLOW_ERRORS},
        summary="预约机时 / Request machine time",
        tags=["bookings"],
    )
    def post(self, request):
        data = validated(BookingRequestSerializer, request.data)
        instrument = (
            Instrument.objects.published()
            .select_related("institution")
            .prefetch_related("opening_hours")
            .filter(code=data["instrument"])
            .first()
        )
        if instrument is None:
            return Response(
                {"errors": {"instrument": ["仪器不存在 / unknown instrument"]}}, status=400
            )
        booking = services.request_booking(
            request.user, instrument, data["start"], data["end"], data["purpose"]
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def booking_detail(booking: Booking, user=None) -> dict:
    return BookingDetailSerializer(_queryset().get(pk=booking.pk)).data
