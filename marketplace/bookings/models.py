"""Bookings of instrument machine time and their transition log.

Active bookings (pending_approval, awaiting_payment, confirmed) never overlap on one
instrument: on PostgreSQL an exclusion constraint holds it (migration 0002), on SQLite the
service serializes check-and-insert in an IMMEDIATE transaction.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Institution
from marketplace.catalogue.models import Instrument
from marketplace.model_fields import Timestamped, person
from marketplace.payments.models import Payable
from marketplace.workflow import TransitionRecord, WorkflowItem, WorkflowQuerySet, logged_item


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


class BookingQuerySet(WorkflowQuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def follow_instruments(self) -> int:
        """Give these bookings their instrument's institution where it is not theirs (after
        instruments moved); how many changed."""
        return (
            self.exclude(institution_id=models.F("instrument__institution_id"))
            .order_by()
            .update(
                institution_id=models.Subquery(
                    Instrument.objects.filter(pk=models.OuterRef("instrument_id")).values(
                        "institution_id"
                    )[:1]
                )
            )
        )


def follow_instrument_moves(instrument_ids: list[int]) -> None:
    """catalogue.moves' follower: the bookings of instruments that moved move with them."""
    Booking.objects.filter(instrument_id__in=instrument_ids).follow_instruments()


class Booking(Payable, Timestamped, WorkflowItem):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("仪器")
    )
    # The instrument's institution, kept on the row (set by save() on insert; moved with the
    # instrument through catalogue.moves, see follow_instrument_moves) so that the institution's approval queue
    # counts and pages its requests on one index without naming its instruments (issue 17).
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,
        verbose_name=_("所属机构"),
    )
    user = person(_("预约人"), "bookings")
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    purpose = models.CharField(_("用途"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, db_index=True)
    price = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    internal_rate = models.BooleanField(_("按本单位价格"), default=False)
    hold_expires_at = models.DateTimeField(_("保留截止"), null=True, blank=True)
    reject_reason = models.CharField(_("拒绝原因"), max_length=500, blank=True)
    actual_minutes = models.PositiveIntegerField(_("实际使用（分钟）"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()
    owner_path = "user"
    institution_path = "instrument__institution"

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-start"]
        indexes = [
            models.Index(fields=["instrument", "start", "end"]),
            # The approval queue (issue 17). Its page in start order read off an index when
            # most requests are the institution's (PostgreSQL, which knows how many are);
            models.Index(fields=["start", "id"], name="booking_start_id"),
            # else its count and page's ids off this one alone, per status in start order,
            # the first 50 taken from those runs rather than sorting all of them (SQLite
            # stops reading a run once it is past the 50 it holds).
            models.Index(
                fields=["institution", "status", "start", "id"], name="booking_institution_queue"
            ),
            # The queue's index before the institution was on the row (0009), kept for the
            # reads by status and instrument that may lean on it; dropping it wants a bench.
            models.Index(
                fields=["status", "instrument", "start", "id"], name="booking_status_instr_start"
            ),
            # The holds still running out (in the statuses that hold), in deadline order: the
            # overdue ones the queue expires on read, and the periodic sweep, without walking
            # every pending request.
            models.Index(fields=["status", "hold_expires_at"], name="booking_status_hold_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=models.Q(price__gte=0), name="booking_price_not_negative"
            ),
        ]

    def save(self, *args, **kwargs):
        if self._state.adding:
            # Whoever creates the booking (the service, the admin, a factory), it belongs to
            # its instrument's institution.
            self.institution_id = self.instrument.institution_id
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"#{self.pk} {self.instrument} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        """The instrument and the start in the site's time zone (stored in UTC, announced in
        TIME_ZONE, Asia/Shanghai), e.g. "扫描电镜 2026-12-08 08:30": the subject of its notices
        and its Stripe line item."""
        return f"{self.instrument.name} {timezone.localtime(self.start):%Y-%m-%d %H:%M}"

    @property
    def status_label(self) -> str:
        """`get_status_display()` without rebuilding the choice table on each call (a list of
        50 bookings called it 50 times)."""
        return str(Status(self.status).label)

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class BookingTransition(TransitionRecord):
    """One row per change of status of a booking: who, when, from, to, why."""

    booking = logged_item(Booking)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")

    def __str__(self) -> str:
        return f"#{self.booking_id} {self.from_status or '∅'} → {self.to_status}"
