"""Bookings of instrument machine time, their transition log, payments and notifications.

Active bookings (pending_approval, awaiting_payment, confirmed) never overlap on one
instrument: on PostgreSQL an exclusion constraint holds it (migration 0002), on SQLite the
service serializes check-and-insert in an IMMEDIATE transaction.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import Instrument
from marketplace.workflow import TransitionRecord


class Status(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("待审核")
    AWAITING_PAYMENT = "awaiting_payment", _("待付款")
    CONFIRMED = "confirmed", _("已确认")
    COMPLETED = "completed", _("已完成")
    REJECTED = "rejected", _("已拒绝")
    EXPIRED = "expired", _("已过期")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("未到场")


ACTIVE_STATUSES = (Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT, Status.CONFIRMED)


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def visible_to(self, user):
        """The user's own bookings and their institutions' instruments' bookings."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            models.Q(user=user) | models.Q(instrument__institution__memberships__user=user)
        ).distinct()


class Booking(models.Model):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("仪器")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("预约人"),
    )
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    purpose = models.CharField(_("用途"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    price = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    internal_rate = models.BooleanField(_("按本单位价格"), default=False)
    hold_expires_at = models.DateTimeField(_("保留截止"), null=True, blank=True)
    reject_reason = models.CharField(_("拒绝原因"), max_length=500, blank=True)
    actual_minutes = models.PositiveIntegerField(_("实际使用（分钟）"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-start"]
        indexes = [models.Index(fields=["instrument", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="booking_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.instrument} {self.start:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def paid_amount(self) -> Decimal:
        return paid_total(self.payments.all())


def paid_total(payments) -> Decimal:
    """What stays with the institution: succeeded payments minus succeeded refunds."""
    total = Decimal("0.00")
    for payment in payments:
        if payment.status == PaymentStatus.SUCCEEDED:
            total += payment.amount if payment.kind == PaymentKind.PAYMENT else -payment.amount
    return total


class BookingTransition(TransitionRecord):
    """One row per change of status of a booking: who, when, from, to, why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="transitions")
    statuses = Status

    class Meta(TransitionRecord.Meta):
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self) -> str:
        return f"#{self.booking_id} {self.from_status or '∅'} → {self.to_status}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", _("付款")
    REFUND = "refund", _("退款")


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("在线支付（Stripe）")
    OFFLINE = "offline", _("对公转账")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("处理中")
    SUCCEEDED = "succeeded", _("成功")
    FAILED = "failed", _("失败")
    CANCELLED = "cancelled", _("已取消")


class Payment(models.Model):
    """A payment or a refund of a booking or of a sample-testing order; several per item are
    normal. Exactly one of `booking` and `sample_order` is set: the item paid for."""

    booking = models.ForeignKey(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    sample_order = models.ForeignKey(
        "sampletesting.SampleOrder",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
    )
    kind = models.CharField(max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(
        max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    reference = models.CharField(_("转账凭证号"), max_length=100, blank=True)
    stripe_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_payment_intent = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("支付记录")
        verbose_name_plural = _("支付记录")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="payment_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(booking__isnull=False, sample_order__isnull=True)
                    | models.Q(booking__isnull=True, sample_order__isnull=False)
                ),
                name="payment_pays_for_exactly_one_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.method} {self.amount} {self.currency} ({self.status})"

    @property
    def payable(self):
        """The booking or sample-testing order this payment is for."""
        return self.booking if self.booking_id else self.sample_order


class StripeEvent(models.Model):
    """Every Stripe webhook event id once: a replayed event is recognised and ignored."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Notification(models.Model):
    """An in-site notice for a user about an item of one of the workflows, linked by `url`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    booking = models.ForeignKey(Booking, null=True, on_delete=models.CASCADE, related_name="+")
    message = models.CharField(max_length=500)  # Chinese
    message_en = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The email copy is an outbox: sent after commit, retried until it goes out.
    email = models.EmailField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message

    def text_in(self, language: str) -> str:
        """The notice in the reader's language (Chinese when there is no English text)."""
        return self.message_en if language.startswith("en") and self.message_en else self.message
