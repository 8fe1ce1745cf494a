"""What a person can do to a booking: the table behind the pages, the API and the buttons."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

from marketplace.accounts.permissions import Role
from marketplace.api import MoneySerializer, reason_serializer
from marketplace.money import money_json
from marketplace.payments.serializers import PayRequestSerializer, PayResponseSerializer
from marketplace.workflow import Action, Workflow, call

from . import services
from .models import ACTIVE_STATUSES, Booking, Status
from .serializers import BookingDetailSerializer

OWNER = frozenset({Role.OWNER})
MEMBER = frozenset({Role.MEMBER})


RejectRequestSerializer = reason_serializer(
    "RejectRequestSerializer", required=True, label=_("拒绝原因")
)


class ConfirmOfflinePaymentRequestSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=100, label=_("转账凭证号"))


class CompleteRequestSerializer(serializers.Serializer):
    actual_minutes = serializers.IntegerField(min_value=0, label=_("实际使用（分钟）"))


CancelRequestSerializer = reason_serializer(
    "CancelRequestSerializer", required=False, label=_("取消原因")
)


def _pay(booking: Booking, by, data: dict, request) -> dict:
    return services.pay(
        booking,
        by,
        data["method"],
        return_url=request.build_absolute_uri(f"/bookings/{booking.pk}/"),
        invoice=data.get("invoice"),
    )


def _cancelled(detail, result, booking) -> dict:
    booking, refund = result
    return {"booking": detail(booking), "refund": money_json(refund)}


def _started(booking: Booking) -> bool:
    return booking.start <= timezone.now()


BOOKING_ACTIONS = Workflow(
    name="booking",
    get_for=services.get_booking_for,
    actions=[
        Action("approve", _("审核通过"), call(services.approve), MEMBER, Status.PENDING_APPROVAL),
        Action("reject", _("拒绝"), call(services.reject, "reason"), MEMBER, Status.PENDING_APPROVAL,
               input=RejectRequestSerializer, style="danger"),
        Action("pay", _("付款"), _pay, OWNER, Status.AWAITING_PAYMENT, input=PayRequestSerializer,
               response=PayResponseSerializer, respond=lambda detail, result, booking: result),
        Action("confirm_offline_payment", _("确认到账"),
               call(services.confirm_offline_payment, "reference"), MEMBER, Status.AWAITING_PAYMENT,
               input=ConfirmOfflinePaymentRequestSerializer),
        Action("complete", _("记录使用并完成"), call(services.complete, "actual_minutes"), MEMBER,
               Status.CONFIRMED, input=CompleteRequestSerializer, summary="记录使用 / complete"),
        Action("no_show", _("标记未到场"), call(services.mark_no_show), MEMBER, Status.CONFIRMED,
               offered_if=_started, style="secondary", summary="未到场 / no show"),
        Action("cancel", _("取消预约"), call(services.cancel, "reason"),
               {Role.OWNER, Role.MEMBER, Role.MODERATOR}, ACTIVE_STATUSES,
               input=CancelRequestSerializer, style="danger", summary="取消 / cancel",
               respond=_cancelled, response=inline_serializer(
                   name="CancelResponse",
                   fields={"booking": BookingDetailSerializer(), "refund": MoneySerializer()},
               ),
               confirm=_("确定取消这条预约吗？")),
    ],
)  # fmt: skip
