"""What a person can do to a booking: the table behind the pages, the API and the buttons."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from marketplace.accounts.permissions import Role, roles_of
from marketplace.api import MoneySerializer
from marketplace.money import money_json
from marketplace.payments.serializers import PayRequestSerializer, PayResponseSerializer
from marketplace.workflow import Action, Workflow

from . import services
from .models import ACTIVE_STATUSES, Booking, Status
from .serializers import BookingDetailSerializer

OWNER = frozenset({Role.OWNER})
MEMBER = frozenset({Role.MEMBER})


class RejectRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, label=_("拒绝原因"))


class ConfirmOfflinePaymentRequestSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, label=_("转账凭证号"))


class CompleteRequestSerializer(serializers.Serializer):
    actual_minutes = serializers.IntegerField(min_value=0, label=_("实际使用（分钟）"))


class CancelRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, required=False, allow_blank=True, default="", label=_("取消原因")
    )


def _return_url(request, booking: Booking) -> str:
    return request.build_absolute_uri(f"/bookings/{booking.pk}/")


def _cancelled(detail, result, booking) -> dict:
    booking, refund = result
    return {"booking": detail(booking), "refund": money_json(refund)}


def _started(booking: Booking) -> bool:
    return booking.start <= timezone.now()


BOOKING_ACTIONS = Workflow(
    name="booking",
    get_for=services.get_booking_for,
    roles_of=lambda user, booking: roles_of(
        user, owner_id=booking.user_id, institution_id=booking.instrument.institution_id
    ),
    actions=[
        Action(
            name="approve",
            label=_("审核通过"),
            perform=lambda booking, by, data, request: services.approve(booking, by),
            roles=MEMBER,
            statuses=frozenset({Status.PENDING_APPROVAL}),
            api_path="approve",
            summary="审核通过 / approve",
        ),
        Action(
            name="reject",
            label=_("拒绝"),
            perform=lambda booking, by, data, request: services.reject(booking, by, data["reason"]),
            roles=MEMBER,
            statuses=frozenset({Status.PENDING_APPROVAL}),
            input=RejectRequestSerializer,
            api_path="reject",
            style="danger",
            summary="拒绝 / reject",
        ),
        Action(
            name="pay",
            label=_("付款"),
            perform=lambda booking, by, data, request: services.pay(
                booking,
                by,
                data["method"],
                return_url=_return_url(request, booking),
                invoice=data.get("invoice"),
            ),
            roles=OWNER,
            statuses=frozenset({Status.AWAITING_PAYMENT}),
            input=PayRequestSerializer,
            api_path="pay",
            summary="付款 / pay",
            response=PayResponseSerializer,
            respond=lambda detail, result, booking: result,
        ),
        Action(
            name="confirm_offline_payment",
            label=_("确认到账"),
            perform=lambda booking, by, data, request: services.confirm_offline_payment(
                booking, by, data["reference"]
            ),
            roles=MEMBER,
            statuses=frozenset({Status.AWAITING_PAYMENT}),
            input=ConfirmOfflinePaymentRequestSerializer,
            api_path="confirm-offline-payment",
            summary="确认到账 / confirm offline payment",
        ),
        Action(
            name="complete",
            label=_("记录使用并完成"),
            perform=lambda booking, by, data, request: services.complete(
                booking, by, data["actual_minutes"]
            ),
            roles=MEMBER,
            statuses=frozenset({Status.CONFIRMED}),
            input=CompleteRequestSerializer,
            api_path="complete",
            summary="记录使用 / complete",
        ),
        Action(
            name="no_show",
            label=_("标记未到场"),
            perform=lambda booking, by, data, request: services.mark_no_show(booking, by),
            roles=MEMBER,
            statuses=frozenset({Status.CONFIRMED}),
            offered_if=_started,
            api_path="no-show",
            style="secondary",
            summary="未到场 / no show",
        ),
        Action(
            name="cancel",
            label=_("取消预约"),
            perform=lambda booking, by, data, request: services.cancel(booking, by, data["reason"]),
            roles=frozenset({Role.OWNER, Role.MEMBER, Role.MODERATOR}),
            statuses=frozenset(ACTIVE_STATUSES),
            input=CancelRequestSerializer,
            api_path="cancel",
            style="danger",
            summary="取消 / cancel",
            respond=_cancelled,
            response=inline_serializer(
                name="CancelResponse",
                fields={"booking": BookingDetailSerializer(), "refund": MoneySerializer()},
            ),
            confirm=_("确定取消这条预约吗？"),
        ),
    ],
)
