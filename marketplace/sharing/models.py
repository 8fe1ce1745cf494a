"""开放共享评价: usage records, ratings, and the summary tables the indicators are read from.

- `UsageRecord`: one row per completed service (a booking or a sample order, written when the
  workflow completes it) and per period of machine time a member records by hand (internal
  research use, maintenance, downtime).
- `Rating`: the user's 1–5 scores on a completed service, an optional comment, the
  institution's one public answer. Texts are public only once a 资源审核员 approved them.
- `Tally`: running sums per scope (instrument, institution, 州/市, category, province), year
  and month (month 0 = the whole year), updated on every record and rating and rebuilt from
  the records by `rebuild_sharing_stats`. Every page reads these, never the raw history.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.models import Institution
from marketplace.catalogue.models import Instrument
from marketplace.model_fields import optional_link, person, served_item
from marketplace.regions import Region


class UsageKind(models.TextChoices):
    SERVICE = "service", _("平台服务")
    RESEARCH = "research", _("内部科研使用")
    MAINTENANCE = "maintenance", _("维护保养")
    DOWNTIME = "downtime", _("故障停机")


# What counts as 有效工作机时: service on the platform and internal research use.
EFFECTIVE_KINDS = (UsageKind.SERVICE, UsageKind.RESEARCH)
MANUAL_KINDS = (UsageKind.RESEARCH, UsageKind.MAINTENANCE, UsageKind.DOWNTIME)


class Source(models.TextChoices):
    BOOKING = "booking", _("机时预约")
    SAMPLE_ORDER = "sample_order", _("送样检测")
    MANUAL = "manual", _("成员登记")


class UsageRecordQuerySet(models.QuerySet):
    def services(self):
        return self.filter(kind=UsageKind.SERVICE)


class UsageRecord(models.Model):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="usage_records", verbose_name=_("仪器")
    )
    # Copied from the instrument when recorded: the tallies and the queries need no joins.
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属机构")
    )
    region = models.CharField(_("所在州市"), max_length=6, choices=Region.choices)
    category = models.CharField(_("仪器分类"), max_length=32)
    kind = models.CharField(_("类型"), max_length=16, choices=UsageKind.choices)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices)
    booking = served_item("bookings.Booking", "usage_record", models.OneToOneField)
    sample_order = served_item("sampletesting.SampleOrder", "usage_record", models.OneToOneField)
    user = person(_("服务对象"), "usage_records", null=True, blank=True)
    external = models.BooleanField(_("对外服务"), default=False)
    minutes = models.PositiveIntegerField(_("机时（分钟）"))
    income = models.DecimalField(
        _("收入（元）"), max_digits=12, decimal_places=2, default=Decimal("0.00")
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    # When the service was completed (or the manual period began): year and month count here.
    at = models.DateTimeField(_("发生时间"))
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    # Minutes from the request to the institution's first answer (approval, rejection, quote).
    response_minutes = models.PositiveIntegerField(_("响应时间（分钟）"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    recorded_by = optional_link(_("登记人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("使用记录")
        verbose_name_plural = _("使用记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["instrument", "year"]),
            models.Index(fields=["institution", "year"]),
            models.Index(fields=["user", "year"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(income__gte=0), name="usage_income_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="usage_month_1_to_12"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.get_kind_display()} {self.minutes} min"

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def service(self):
        """The booking or sample order served, if any."""
        return self.booking if self.booking_id else self.sample_order


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已公开")
    REJECTED = "rejected", _("未通过")


score_choices = [(value, str(value)) for value in range(1, 6)]


class RatingQuerySet(models.QuerySet):
    def public_comments(self):
        return self.filter(comment_status=ReviewStatus.APPROVED).exclude(comment="")

    def awaiting_review(self):
        return self.filter(
            models.Q(comment_status=ReviewStatus.PENDING)
            | models.Q(reply_status=ReviewStatus.PENDING)
        )


class Rating(models.Model):
    """服务评价: one per completed service, by its user; the institution answers once."""

    record = models.OneToOneField(
        UsageRecord, on_delete=models.PROTECT, related_name="rating", verbose_name=_("服务")
    )
    user = person(_("评价人"), "service_ratings")
    timeliness = models.PositiveSmallIntegerField(_("及时性"), choices=score_choices)
    quality = models.PositiveSmallIntegerField(_("服务质量"), choices=score_choices)
    attitude = models.PositiveSmallIntegerField(_("服务态度"), choices=score_choices)
    comment = models.TextField(_("评价内容"), max_length=1000, blank=True)
    comment_status = models.CharField(
        _("评价审核"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reply = models.TextField(_("机构回复"), max_length=1000, blank=True)
    reply_status = models.CharField(
        _("回复审核"), max_length=10, choices=ReviewStatus.choices, blank=True
    )
    replied_by = optional_link(_("回复人"))
    replied_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    reviewed_by = optional_link(_("审核人"))
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务评价")
        verbose_name_plural = _("服务评价")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(timeliness__gte=1, timeliness__lte=5)
                & models.Q(quality__gte=1, quality__lte=5)
                & models.Q(attitude__gte=1, attitude__lte=5),
                name="rating_scores_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.timeliness}/{self.quality}/{self.attitude}"

    @property
    def comment_pending(self) -> bool:
        return bool(self.comment) and self.comment_status == ReviewStatus.PENDING

    @property
    def reply_pending(self) -> bool:
        return self.reply_status == ReviewStatus.PENDING

    @property
    def reply_public(self) -> bool:
        return bool(self.reply) and self.reply_status == ReviewStatus.APPROVED

    @property
    def average(self) -> Decimal:
        return (Decimal(self.timeliness + self.quality + self.attitude) / 3).quantize(
            Decimal("0.1"), ROUND_HALF_UP
        )

    @property
    def score_sum(self) -> int:
        return self.timeliness + self.quality + self.attitude


class Scope(models.TextChoices):
    PROVINCE = "province", _("全省")
    REGION = "region", _("州市")
    INSTITUTION = "institution", _("机构")
    INSTRUMENT = "instrument", _("仪器")
    CATEGORY = "category", _("仪器分类")


COUNTERS = (
    "effective_minutes",
    "external_minutes",
    "internal_minutes",
    "research_minutes",
    "maintenance_minutes",
    "downtime_minutes",
    "services",
    "external_services",
    "users_served",
    "external_users_served",
    "income_internal",
    "income_external",
    "ratings",
    "rating_points",
)


class Tally(models.Model):
    """Running sums of one scope (`key`: the instrument's or institution's id, the region's
    code, the category's value, "" for the province) in one year and month (0: the year).

    `users_served` counts distinct users of the scope in the year (kept on month 0 only)."""

    scope = models.CharField(max_length=12, choices=Scope.choices)
    key = models.CharField(max_length=32, blank=True)
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField(default=0)
    effective_minutes = models.BigIntegerField(default=0)
    external_minutes = models.BigIntegerField(default=0)
    internal_minutes = models.BigIntegerField(default=0)
    research_minutes = models.BigIntegerField(default=0)
    maintenance_minutes = models.BigIntegerField(default=0)
    downtime_minutes = models.BigIntegerField(default=0)
    services = models.PositiveIntegerField(default=0)
    external_services = models.PositiveIntegerField(default=0)
    users_served = models.PositiveIntegerField(default=0)
    external_users_served = models.PositiveIntegerField(default=0)
    income_internal = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    income_external = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    ratings = models.PositiveIntegerField(default=0)
    # Sum over ratings of (timeliness + quality + attitude): the average is points / 3 / ratings.
    rating_points = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("共享统计")
        verbose_name_plural = _("共享统计")
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "key", "year", "month"], name="tally_one_row_per_scope_period"
            )
        ]
        indexes = [models.Index(fields=["scope", "year", "month", "effective_minutes"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} {self.year}-{self.month:02d}"

    @property
    def effective_hours(self) -> Decimal:
        return hours(self.effective_minutes)

    @property
    def external_hours(self) -> Decimal:
        return hours(self.external_minutes)

    @property
    def share_rate(self) -> Decimal | None:
        """共享率: external service hours over effective working hours, in percent."""
        return percent(self.external_minutes, self.effective_minutes)

    @property
    def income(self) -> Decimal:
        return self.income_internal + self.income_external

    @property
    def average_rating(self) -> Decimal | None:
        if not self.ratings:
            return None
        return (Decimal(self.rating_points) / 3 / self.ratings).quantize(
            Decimal("0.01"), ROUND_HALF_UP
        )


def hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)


def percent(part: int | None, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
