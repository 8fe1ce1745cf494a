"""Bookings API (API.md, "Workflows"): thin views over the booking services."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.api import (
    WORKFLOW_ERRORS,
    DetailSerializer,
    ErrorSerializer,
    validated,
)
from marketplace.api_views import ListView, list_schema
from marketplace.catalogue.api import AvailabilitySerializer, InstitutionRefSerializer
from marketplace.catalogue.availability import intervals_json
from marketplace.catalogue.models import Instrument
from marketplace.gc_pause import collector_paused

from . import floor as floor_service
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
            raise serializers.ValidationError(gettext("不是有效的 ISO 8601 时间")) from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise serializers.ValidationError(gettext("时间须带时区偏移（例如 +08:00）"))
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
        visible = services.HOLDS.shown(Booking.objects.visible_to(request.user))
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
            return Response({"errors": {"instrument": [gettext("仪器不存在")]}}, status=400)
        booking = services.request_booking(
            request.user, instrument, data["start"], data["end"], data["purpose"]
        )
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


def booking_detail(booking: Booking, user=None) -> dict:
    return BookingDetailSerializer(_queryset().get(pk=booking.pk)).data


class FloorSerializer(serializers.Serializer):
    """An institution's floor: every instrument's free machine time over (at most) a week."""

    class InstrumentFreeSerializer(AvailabilitySerializer):
        code = serializers.CharField()
        name = serializers.CharField()
        published = serializers.BooleanField()
        status = serializers.CharField()
        offers_machine_time = serializers.BooleanField()
        free_minutes = serializers.IntegerField()

    institution = InstitutionRefSerializer()
    start = serializers.DateField()
    end = serializers.DateField()
    instruments = InstrumentFreeSerializer(many=True)


def floor_json(floor: floor_service.Floor) -> dict:
    memo: dict = {}  # the intervals' JSON, once per interval the instruments share
    return {
        "institution": {"code": floor.institution.code, "name": floor.institution.name},
        "start": floor.first.isoformat(),
        "end": floor.last.isoformat(),
        "instruments": [
            {
                "code": row.instrument.code,
                "name": row.instrument.name,
                "published": row.instrument.live,
                "status": row.instrument.status,
                "offers_machine_time": row.instrument.offers_machine_time,
                "timezone": row.instrument.timezone,
                "slot_minutes": row.instrument.slot_minutes,
                "free_minutes": row.free_minutes,
                "free": intervals_json(row.free, row.instrument.timezone, memo),
            }
            for row in floor.rows
        ],
    }


class RenderedJSON(bytes):
    """An answer the view has rendered already (with the renderer DRF chose for it)."""


class RenderedJSONRenderer(JSONRenderer):
    """JSONRenderer, passing through what the view has rendered already."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, RenderedJSON):
            return bytes(data)
        return super().render(data, accepted_media_type, renderer_context)


class FloorView(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [RenderedJSONRenderer]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start",
                OpenApiTypes.DATE,
                description="第一天 / first day (with end; neither: this week, Monday–Sunday)",
            ),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="最后一天 / last day (≤ 7 days)"
            ),
        ],
        responses={
            200: FloorSerializer,
            400: ErrorSerializer,
            401: DetailSerializer,
            403: DetailSerializer,
            404: DetailSerializer,
        },
        summary="机构全部仪器的空闲机时 / free machine time of every instrument of an institution",
        description="本机构成员与审核员可用 / for the institution's members and moderators; "
        "403 for other signed-in people.",
        tags=["bookings"],
    )
    def get(self, request, code: str):
        first, last = floor_service.floor_range(
            request.query_params.get("start"), request.query_params.get("end"), now=timezone.now()
        )
        with collector_paused():
            # Written out here, inside the collector's pause: afterwards only bytes are left.
            content = request.accepted_renderer.render(
                floor_json(floor_service.floor_availability(request.user, code, first, last)),
                request.accepted_media_type,
                self.get_renderer_context(),
            )
        return Response(RenderedJSON(content))
