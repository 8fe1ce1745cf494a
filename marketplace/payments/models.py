"""Payments and refunds of anything payable (a booking, a sample-testing order), and the
Stripe webhook events already processed.

The tables keep the names they had when they lived in the bookings app (`bookings_payment`,
`bookings_stripeevent`): moving the models moved no data.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


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
        "bookings.Booking",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
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
        db_table = "bookings_payment"
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


def paid_total(payments) -> Decimal:
    """What stays with the institution: succeeded payments minus succeeded refunds."""
    total = Decimal("0.00")
    for payment in payments:
        if payment.status == PaymentStatus.SUCCEEDED:
            total += payment.amount if payment.kind == PaymentKind.PAYMENT else -payment.amount
    return total


class StripeEvent(models.Model):
    """Every Stripe webhook event id once: a replayed event is recognised and ignored."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "bookings_stripeevent"

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"
