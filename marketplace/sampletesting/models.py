"""送样检测: a sample-testing order on an instrument, its transition log and its report file.

The user describes the samples and the test items; the instrument's institution quotes a price
and a turnaround; the user accepts and pays (the payments app: Stripe Checkout
or offline bank transfer, rows in `payments.Payment`); the institution receives the samples,
uploads the report, and the order completes.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import Instrument
from marketplace.model_fields import person
from marketplace.payments.models import Payable
from marketplace.uploads import private_storage
from marketplace.workflow import TransitionRecord, WorkflowItem, logged_item


class Status(models.TextChoices):
    REQUESTED = "requested", _("待报价")
    QUOTED = "quoted", _("已报价")
    AWAITING_PAYMENT = "awaiting_payment", _("待付款")
    CONFIRMED = "confirmed", _("待送样")
    SAMPLES_RECEIVED = "samples_received", _("检测中")
    REPORT_DELIVERED = "report_delivered", _("报告已出具")
    COMPLETED = "completed", _("已完成")
    DECLINED = "declined", _("已谢绝")
    CANCELLED = "cancelled", _("已取消")
    # The accepted quote was not paid before its hold ran out.
    EXPIRED = "expired", _("已过期")


OPEN_STATUSES = (
    Status.REQUESTED,
    Status.QUOTED,
    Status.AWAITING_PAYMENT,
    Status.CONFIRMED,
    Status.SAMPLES_RECEIVED,
    Status.REPORT_DELIVERED,
)


def report_upload_to(order: SampleOrder, filename: str) -> str:
    return f"sample-reports/{order.pk}/{filename}"


class SampleOrder(Payable, WorkflowItem):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="sample_orders", verbose_name=_("仪器")
    )
    user = person(_("委托人"), "sample_orders")
    sample_count = models.PositiveIntegerField(_("样品数量"))
    sample_description = models.TextField(_("样品描述"), max_length=4000)
    test_items = models.TextField(_("检测项目"), max_length=4000)
    notes = models.TextField(_("备注"), max_length=2000, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    price = models.DecimalField(
        _("报价（元）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    internal_rate = models.BooleanField(_("按本单位价格"), default=False)
    turnaround_days = models.PositiveSmallIntegerField(
        _("检测周期（工作日）"), null=True, blank=True
    )
    quote_note = models.CharField(_("报价说明"), max_length=500, blank=True)
    # Bumped by every quote: accepting names the version the requester saw.
    quote_version = models.PositiveIntegerField(_("报价版本"), default=0)
    # Until when an accepted quote waits for its payment (the payments kernel's holds: short
    # while paying online, OFFLINE_PAYMENT_HOLD_HOURS once bank transfer is chosen).
    hold_expires_at = models.DateTimeField(_("付款截止"), null=True, blank=True)
    decline_reason = models.CharField(_("谢绝原因"), max_length=500, blank=True)
    report = models.FileField(
        _("检测报告"), storage=private_storage, upload_to=report_upload_to, blank=True
    )
    report_name = models.CharField(_("报告文件名"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    owner_path = "user"
    institution_path = "instrument__institution"

    class Meta:
        verbose_name = _("送样检测")
        verbose_name_plural = _("送样检测")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__isnull=True) | models.Q(price__gte=0),
                name="sample_order_price_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(sample_count__gte=1), name="sample_order_has_samples"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.instrument} ×{self.sample_count}"

    @property
    def indicative_price(self) -> Decimal | None:
        """The listing's per-sample price times the count: a hint until the quote arrives."""
        if self.instrument.price_per_sample is None:
            return None
        return self.instrument.price_per_sample * self.sample_count


class SampleOrderTransition(TransitionRecord):
    order = logged_item(SampleOrder)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("送样检测状态变更")
        verbose_name_plural = _("送样检测状态变更")
