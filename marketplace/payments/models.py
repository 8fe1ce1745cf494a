"""Payments and refunds of anything payable (a booking, a sample-testing order), and the
Stripe webhook events already processed.

The tables keep the names they had when they lived in the bookings app (`bookings_payment`,
`bookings_stripeevent`): moving the models moved no data.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.model_fields import optional_link, served_item
from marketplace.uploads import private_storage
from marketplace.workflow import note_text


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


def voucher_upload_to(payment: Payment, filename: str) -> str:
    return f"payment-vouchers/{payment.pk}/{filename}"


class Payment(models.Model):
    """A payment or a refund of a booking or of a sample-testing order; several per item are
    normal. Exactly one of `booking` and `sample_order` is set: the item paid for."""

    booking = served_item("bookings.Booking", "payments")
    sample_order = served_item("sampletesting.SampleOrder", "payments")
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
    # 汇款附言: the code the payer quotes on a bank transfer, unique per payment attempt.
    reference_code = models.CharField(_("汇款附言"), max_length=32, blank=True, db_index=True)
    # The payer's own side of an offline payment: their bank's transfer number and the voucher.
    payer_reference = models.CharField(_("付款方转账流水号"), max_length=100, blank=True)
    voucher = models.FileField(
        _("转账凭证"), upload_to=voucher_upload_to, storage=private_storage, blank=True
    )
    voucher_name = models.CharField(_("凭证文件名"), max_length=200, blank=True)
    # Until when a bank transfer is awaited (the payable's hold), shown to the payer.
    deadline = models.DateTimeField(_("付款截止"), null=True, blank=True)
    # A refund names the charge it gives money back from (never more than that charge).
    refund_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
        verbose_name=_("退款对应的付款"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    # Who confirmed a transfer or completed a bank-transfer refund.
    settled_by = optional_link(_("确认人"))
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
                condition=models.Q(kind="payment", refund_of__isnull=True)
                | models.Q(kind="refund"),
                name="payment_refund_of_only_on_refunds",
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
    def note_text(self) -> str:
        """The note in the reader's language (system notes are stored as codes)."""
        return note_text(self.note)

    @property
    def is_open_bank_refund(self) -> bool:
        """A bank-transfer refund still waiting for the institution to record its transfer."""
        return (
            self.kind == PaymentKind.REFUND
            and self.method == PaymentMethod.OFFLINE
            and self.status == PaymentStatus.PENDING
        )

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


class Payable(models.Model):
    """An item paid for through this app (registered in `payables`): its `payments` are the
    Payment rows pointing at it. Adds no field and no table."""

    class Meta:
        abstract = True

    @property
    def paid_amount(self) -> Decimal:
        return paid_total(self.payments.all())


class InvoiceKind(models.TextChoices):
    NORMAL = "normal", _("增值税普通发票")
    SPECIAL = "special", _("增值税专用发票")


class InvoiceStatus(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    ISSUED = "issued", _("已开具")


def invoice_upload_to(invoice: Invoice, filename: str) -> str:
    return f"invoices/{invoice.payment_id}/{filename}"


class Invoice(models.Model):
    """发票: asked for by the payer with a payment, recorded as issued by the institution.

    The platform records what was asked and what was issued; it computes no tax."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="invoice", verbose_name=_("付款")
    )
    title = models.CharField(_("发票抬头"), max_length=200)
    tax_id = models.CharField(_("纳税人识别号"), max_length=18)
    kind = models.CharField(_("发票类型"), max_length=10, choices=InvoiceKind.choices)
    email = models.EmailField(_("接收邮箱"))
    status = models.CharField(
        _("状态"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.REQUESTED
    )
    number = models.CharField(_("发票号码"), max_length=64, blank=True)
    issued_on = models.DateField(_("开票日期"), null=True, blank=True)
    pdf = models.FileField(
        _("发票文件"), upload_to=invoice_upload_to, storage=private_storage, blank=True
    )
    pdf_name = models.CharField(_("发票文件名"), max_length=200, blank=True)
    issued_by = optional_link(_("开票登记人"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")

    def __str__(self) -> str:
        return f"{self.title} {self.get_kind_display()} ({self.get_status_display()})"


class StripeEvent(models.Model):
    """Every Stripe webhook event id once: a replayed event is recognised and ignored."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "bookings_stripeevent"

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"
