"""Bookings API (API.md, "Workflows"): thin views over the booking services."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import (
    WORKFLOW_ERRORS,
    DetailSerializer,
    MoneySerializer,
    Pagination,
    TransitionSerializer,
    local_iso,
    paginated,
    workflow_error_response,
)
from marketplace.catalogue.models import Instrument
from marketplace.money import money_json

from . import services
from .models import Booking, BookingTransition, PaymentMethod
from .payments import start_stripe_checkout


class BookingTransitionSerializer(TransitionSerializer):
    class Meta(TransitionSerializer.Meta):
        model = BookingTransition


class BookingSerializer(serializers.ModelSerializer):
    instrument = serializers.CharField(source="instrument.code")
    instrument_name = serializers.CharField(source="instrument.name")
    price = serializers.SerializerMethodField()
    start = serializers.SerializerMethodField()
    end = serializers.SerializerMethodField()
    hold_expires_at = serializers.SerializerMethodField()

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

    def get_price(self, obj) -> MoneySerializer:
        return money_json(obj.price)

    def get_start(self, obj) -> str:
        return local_iso(obj.start)

    def get_end(self, obj) -> str:
        return local_iso(obj.end)

    def get_hold_expires_at(self, obj) -> str | None:
        return local_iso(obj.hold_expires_at)


class BookingDetailSerializer(BookingSerializer):
    transitions = BookingTransitionSerializer(many=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "transitions"]


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


def _error(exc: services.BookingError) -> Response:
    return workflow_error_response(exc)


class PayResponseSerializer(serializers.Serializer):
    """What paying answers: a Checkout URL for Stripe, or bank-transfer instructions."""

    method = serializers.CharField()
    checkout_url = serializers.CharField(required=False)
    session_id = serializers.CharField(required=False)
    status = serializers.CharField(required=False)
    amount = MoneySerializer(required=False)
    instructions = serializers.CharField(required=False)


def _queryset():
    return Booking.objects.select_related("instrument__institution").prefetch_related(
        Prefetch("transitions", queryset=BookingTransition.objects.order_by("at", "pk"))
    )


class BookingListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={
            200: paginated("PaginatedBookingList", BookingSerializer),
            401: DetailSerializer,
            404: DetailSerializer,
        },
        operation_id="bookings_list",
        tags=["bookings"],
    )
    def get(self, request):
        bookings = (
            Booking.objects.visible_to(request.user)
            .select_related("instrument")
            .order_by("-start", "-pk")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(bookings, request, view=self)
        return paginator.get_paginated_response(BookingSerializer(page, many=True).data)

    @extend_schema(
        request=BookingRequestSerializer,
        responses={201: BookingSerializer, **WORKFLOW_ERRORS},
        summary="预约机时 / Request machine time",
        tags=["bookings"],
    )
    def post(self, request):
        data = BookingRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        instrument = (
            Instrument.objects.published()
            .select_related("institution")
            .prefetch_related("opening_hours")
            .filter(code=data.validated_data["instrument"])
            .first()
        )
        if instrument is None:
            return Response(
                {"errors": {"instrument": ["仪器不存在 / unknown instrument"]}}, status=400
            )
        try:
            booking = services.request_booking(
                request.user,
                instrument,
                data.validated_data["start"],
                data.validated_data["end"],
                data.validated_data["purpose"],
            )
        except services.BookingError as exc:
            return _error(exc)
        return Response(BookingSerializer(booking).data, status=status.HTTP_201_CREATED)


class BookingDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses={200: BookingDetailSerializer, 401: DetailSerializer, 404: DetailSerializer},
        tags=["bookings"],
    )
    def get(self, request, pk: int):
        booking = (
            _queryset()
            .filter(pk__in=Booking.objects.visible_to(request.user).values("pk"), pk=pk)
            .first()
        )
        if booking is None:
            return Response({"detail": "预约不存在 / booking not found"}, status=404)
        return Response(BookingDetailSerializer(booking).data)


class BookingActionView(APIView):
    """POST /bookings/{id}/<action>/: one service call each."""

    permission_classes = [IsAuthenticated]
    action: str = ""

    def perform(self, request, booking):  # pragma: no cover — every subclass overrides
        raise NotImplementedError

    def post(self, request, pk: int):
        try:
            booking = services.get_booking_for(request.user, pk)
            result = self.perform(request, booking)
        except services.BookingError as exc:
            return _error(exc)
        if isinstance(result, Response):
            return result
        return Response(BookingDetailSerializer(_queryset().get(pk=booking.pk)).data)


def _action_schema(request_fields: dict | None, summary: str, response=None):
    request = (
        inline_serializer(
            name=f"{summary.split(' / ')[-1].title().replace(' ', '')}Request",
            fields=request_fields,
        )
        if request_fields
        else None
    )
    return extend_schema(
        request=request,
        responses={200: response or BookingDetailSerializer, **WORKFLOW_ERRORS},
        summary=summary,
        tags=["bookings"],
    )


class ApproveView(BookingActionView):
    @_action_schema(None, "审核通过 / approve")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, booking):
        return services.approve(booking, request.user)


class RejectView(BookingActionView):
    @_action_schema({"reason": serializers.CharField(max_length=500)}, "拒绝 / reject")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, booking):
        return services.reject(booking, request.user, str(request.data.get("reason", ""))[:500])


class PayView(BookingActionView):
    @_action_schema(
        {"method": serializers.ChoiceField(choices=PaymentMethod.choices)},
        "付款 / pay",
        response=PayResponseSerializer,
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, booking):
        from django.conf import settings

        method = request.data.get("method") if isinstance(request.data, dict) else None
        if method not in settings.PAYMENT_METHODS:
            return Response(
                {
                    "errors": {
                        "method": [f"可选 / choose one of: {', '.join(settings.PAYMENT_METHODS)}"]
                    }
                },
                status=400,
            )
        if method == "stripe":
            base = request.build_absolute_uri(f"/bookings/{booking.pk}/")
            result = start_stripe_checkout(
                booking, request.user, success_url=base + "?paid=1", cancel_url=base
            )
            return Response({"method": "stripe", **result})
        payment = services.choose_offline_payment(booking, request.user)
        institution = booking.instrument.institution
        return Response(
            {
                "method": "offline",
                "status": booking.status,
                "amount": money_json(payment.amount),
                "instructions": f"请向 {institution.name} 对公转账并注明预约号 #{booking.pk} / "
                f"pay {institution.name} by bank transfer quoting booking #{booking.pk}",
            }
        )


class ConfirmOfflinePaymentView(BookingActionView):
    @_action_schema(
        {"reference": serializers.CharField(max_length=100)}, "确认到账 / confirm offline payment"
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, booking):
        return services.confirm_offline_payment(
            booking, request.user, str(request.data.get("reference", ""))[:100]
        )


class CancelView(BookingActionView):
    @_action_schema(
        None,
        "取消 / cancel",
        response=inline_serializer(
            name="CancelResponse",
            fields={"booking": BookingDetailSerializer(), "refund": MoneySerializer()},
        ),
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, booking):
        booking, refund = services.cancel(booking, request.user)
        return Response(
            {
                "booking": BookingDetailSerializer(_queryset().get(pk=booking.pk)).data,
                "refund": money_json(refund),
            }
        )


class CompleteView(BookingActionView):
    @_action_schema(
        {"actual_minutes": serializers.IntegerField(min_value=0)}, "记录使用 / complete"
    )
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, booking):
        raw = request.data.get("actual_minutes") if isinstance(request.data, dict) else None
        if isinstance(raw, bool) or not isinstance(raw, int):
            return Response(
                {"errors": {"actual_minutes": ["须为整数分钟 / a whole number of minutes"]}},
                status=400,
            )
        return services.complete(booking, request.user, raw)


class NoShowView(BookingActionView):
    @_action_schema(None, "未到场 / no show")
    def post(self, request, pk: int):
        return super().post(request, pk)

    def perform(self, request, booking):
        return services.mark_no_show(booking, request.user)


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
        tags=["payments"],
    )
    def post(self, request, code: str):
        from django.conf import settings

        from marketplace.accounts.models import Institution

        from .payments import connect_onboarding_link

        institution = Institution.objects.for_member(request.user).filter(code=code).first()
        if institution is None:
            return Response({"detail": "机构不存在 / institution not found"}, status=404)
        if not settings.STRIPE_SECRET_KEY:
            return Response(
                {
                    "errors": {
                        "non_field_errors": ["未启用在线支付 / online payment is not configured"]
                    }
                },
                status=400,
            )
        back = request.build_absolute_uri(f"/institutions/{institution.code}/")
        try:
            url = connect_onboarding_link(
                institution, request.user, refresh_url=back, return_url=back
            )
        except services.BookingError as exc:
            return _error(exc)
        return Response({"url": url})
