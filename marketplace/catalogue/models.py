"""Listings of the catalogue: instruments (with booking rules), incubators and technologies.

Each listing belongs to an institution and is moderated before it is public: the row holds the
published version (`live`), drafts and pending changes live in Wagtail revisions, and a
moderation workflow takes a change from submitted to published.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F
from django.db.models.functions import Least
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    Orderable,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from marketplace.accounts.models import Institution
from marketplace.accounts.validators import validate_code
from marketplace.countries import country_name
from marketplace.model_fields import optional_link
from marketplace.regions import Region

from .vocabularies import (
    WEEKDAYS,
    BlackoutKind,
    IncubatorLevel,
    IncubatorType,
    InstrumentCategory,
    InstrumentStatus,
    IpStatus,
    IpType,
    TransferMode,
)

money_validators = [MinValueValidator(Decimal("0"))]
phone_validator = RegexValidator(r"^\+?[0-9][0-9 ()-]{4,30}$", _("请输入有效的电话号码。"))
country_validator = RegexValidator(r"^[A-Z]{2}$", _("请输入两位大写国家代码，例如 CN、JP、DE。"))


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators,
        **kwargs,
    )


def _live_indexes(
    kind: str, filtered: list[str], ordered: tuple[str, ...] = ("code",)
) -> list[models.Index]:
    """Indexes over published listings only, for the public lists at 100,000 listings.

    Django writes `filter(live=True)` as a bare `WHERE "live"`; SQLite uses an index for it
    only when the index has that same condition (the (live, code) index is skipped and every
    row is read to test `live`). Partial on `live`: the list's order (code) for counts and deep
    pages read on the index alone, and the common filter combinations with the institution
    (region filters go through the institutions of the region) and code.

    `ordered`: the code and what a list filtered by region alone tests beside it (the
    institution, for the kinds whose region is their institution's): its page is an ordered
    walk of the index, the institution tested in each entry, where the (live, code) index
    read each listing's row to test it (2,500 rows for the first 20 of a region whose
    institutions come late in code order: 19–24 ms on both engines).
    """
    live = models.Q(live=True)
    # PostgreSQL reads a deep page's ids (OFFSET 10,000 on the code order) from the index alone
    # only when the index holds the id too (SQLite's indexes always carry the rowid; it has no
    # INCLUDE, hence a last key column).
    return [
        models.Index(fields=[*ordered, "id"], condition=live, name=f"{kind}_live_code"),
        models.Index(fields=[*filtered, "id"], condition=live, name=f"{kind}_live_filtered"),
    ]


class ListingQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True)

    def published_or_raise(self, code: str, missing: Exception):
        """The published listing `code` with its institution (what a workflow starts on);
        raises `missing` (the workflow's NotFound, say) when there is none."""
        listing = self.published().select_related("institution").filter(code=code).first()
        if listing is None:
            raise missing
        return listing


class Listing(
    WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, ClusterableModel
):
    """What every listing shares: a stable code, an owning institution, moderation state."""

    code = models.CharField(_("编码"), max_length=64, unique=True, validators=[validate_code])
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="%(class)s_listings",
        verbose_name=_("所属机构"),
    )
    contact_name = models.CharField(_("联系人"), max_length=200, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), max_length=254, blank=True)
    contact_phone = models.CharField(
        _("联系电话"), max_length=32, blank=True, validators=[phone_validator]
    )
    # Fingerprint of the imported record: a re-import of an unchanged record writes nothing.
    import_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ListingQuerySet.as_manager()

    class Meta:
        abstract = True

    def __init__(self, *args, **kwargs):
        if kwargs:
            super().__init__(*args, **kwargs)
        else:
            # A row read from the database (from_db passes the values by position): nothing
            # for ClusterableModel to take out of kwargs, so its scan of every field of the
            # model for child relations — about a fifth of reading a list page's 20 rows — is
            # skipped; Model.__init__ is what it would call.
            models.Model.__init__(self, *args)

    def get_preview_template(self, request, mode_name):
        return f"catalogue/{self._meta.model_name}_detail.html"

    def get_preview_context(self, request, mode_name):
        return {"listing": self, "preview": True, **self.detail_context()}

    def detail_context(self) -> dict:
        return {}

    def get_absolute_url(self) -> str:
        return reverse(f"catalogue:{self._meta.model_name}_detail", args=[self.code])


def _moderation_relations(name: str) -> tuple[GenericRelation, GenericRelation]:
    """A listing's revisions and its moderation workflow states, queryable as `name`."""
    revisions = GenericRelation("wagtailcore.Revision", related_query_name=name)
    states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name=name,
        for_concrete_model=False,
    )
    return revisions, states


class Instrument(Listing):
    """大型科学仪器: a shared large instrument with prices and machine-time booking rules."""

    name = models.CharField(_("仪器名称"), max_length=200)
    name_en = models.CharField(
        _("英文名称"),
        max_length=200,
        blank=True,
        help_text=_("厂商或国际通用的英文名称，英文搜索可以找到，如 Field Emission SEM。"),
    )
    category = models.CharField(
        _("仪器分类"), max_length=32, choices=InstrumentCategory.choices, db_index=True
    )
    model_number = models.CharField(_("规格型号"), max_length=200, blank=True)
    manufacturer = models.CharField(_("生产厂商"), max_length=200, blank=True)
    origin_country = models.CharField(
        _("产地国别"), max_length=2, blank=True, validators=[country_validator]
    )
    original_value = models.DecimalField(
        _("原值（元）"), max_digits=14, decimal_places=2, validators=money_validators
    )
    commissioned_on = models.DateField(_("启用日期"), null=True, blank=True)
    location = models.CharField(_("安放地点"), max_length=500, blank=True)
    description = models.TextField(_("主要技术指标与功能"), max_length=20000, blank=True)
    capabilities = models.JSONField(_("服务能力"), default=list, blank=True)
    offers_machine_time = models.BooleanField(_("提供机时预约"), default=False, db_index=True)
    offers_sample_testing = models.BooleanField(_("提供送样检测"), default=False, db_index=True)
    price_hourly = money_field(_("对外机时价格（元/小时）"))
    price_internal_hourly = money_field(_("校内/院内机时价格（元/小时）"))
    price_per_sample = money_field(_("对外送样价格（元/样）"))
    price_internal_per_sample = money_field(_("校内/院内送样价格（元/样）"))
    status = models.CharField(
        _("运行状态"),
        max_length=32,
        choices=InstrumentStatus.choices,
        default=InstrumentStatus.IN_SERVICE,
    )
    # Booking rules (machine time). Wall-clock times are in `timezone`.
    timezone = models.CharField(_("时区"), max_length=64, default="Asia/Shanghai", editable=False)
    slot_minutes = models.PositiveIntegerField(
        _("时段粒度（分钟）"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(1440)],
    )
    min_minutes = models.PositiveIntegerField(
        _("最短预约（分钟）"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(10080)],
    )
    max_minutes = models.PositiveIntegerField(
        _("最长预约（分钟）"),
        default=480,
        validators=[MinValueValidator(5), MaxValueValidator(10080)],
    )
    min_notice_hours = models.PositiveIntegerField(
        _("最少提前（小时）"), default=24, validators=[MaxValueValidator(8760)]
    )
    max_advance_days = models.PositiveIntegerField(
        _("最多提前（天）"), default=60, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    approval_required = models.BooleanField(_("需要审批"), default=True)
    training_required = models.BooleanField(_("需要培训上岗"), default=False)
    # Quotas per user (slot hoarding, security finding 7); empty means the platform default
    # (settings.BOOKING_MAX_ACTIVE_PER_USER / BOOKING_MAX_HOURS_PER_USER_WEEK).
    max_active_bookings = models.PositiveSmallIntegerField(
        _("每人最多未完成预约数"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "同一用户在本仪器上同时持有的待审核、待付款和已确认预约的上限；空为平台默认值。"
        ),
    )
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("每人每周最多机时（小时）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text=_(
            "同一用户在本仪器上每个自然周（周一至周日，北京时间）预约机时的上限；空为平台默认值。"
        ),
    )
    photo = optional_link(_("照片"), "wagtailimages.Image")
    manual = optional_link(_("附件（收费标准、样品要求等）"), "wagtaildocs.Document")
    _revisions, workflow_states = _moderation_relations("instrument")

    class Meta:
        verbose_name = _("仪器")
        verbose_name_plural = pgettext_lazy("plural", "仪器")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["live", "category"]),
            models.Index(fields=["live", "code"]),
            # category first, then the list's order: a category (+ region) filter's deep page is
            # an ordered walk of the index, the institution tested in it.
            *_live_indexes(
                "instrument", ["category", "code", "institution"], ("code", "institution")
            ),
            # One institution's published instruments in list order: its stored count's
            # recount, `?institution=` lists and the institution's page.
            models.Index(
                fields=["institution", "code"],
                condition=models.Q(live=True),
                name="instrument_live_institution",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_minutes__lte=models.F("max_minutes")),
                name="instrument_min_not_above_max",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The institution the row had: moving the instrument recounts the one it left too.
        instance._loaded_institution_id = instance.__dict__.get("institution_id")
        return instance

    @property
    def origin_country_name(self) -> str:
        """产地国别 as the country's name in the reader's language ("JP" → 日本 / Japan)."""
        return country_name(self.origin_country)

    @property
    def revisions(self):
        return self._revisions

    @property
    def service_modes(self) -> list[str]:
        return self.service_modes_of(self.offers_machine_time, self.offers_sample_testing)

    @staticmethod
    def service_modes_of(offers_machine_time: bool, offers_sample_testing: bool) -> list[str]:
        """`service_modes` of the two columns' values (the API's lists read them as values)."""
        modes = []
        if offers_machine_time:
            modes.append("machine_time")
        if offers_sample_testing:
            modes.append("sample_testing")
        return modes

    @property
    def booking_quota_active(self) -> int:
        """The effective limit of one user's active bookings on this instrument."""
        from django.conf import settings

        return self.max_active_bookings or settings.BOOKING_MAX_ACTIVE_PER_USER

    @property
    def booking_quota_hours(self) -> int:
        """The effective limit of one user's booked hours per ISO week on this instrument."""
        from django.conf import settings

        return self.max_hours_per_week or settings.BOOKING_MAX_HOURS_PER_USER_WEEK

    @property
    def accepts_sample_orders(self) -> bool:
        """Offers sample testing and is in service now: the page shows the order button."""
        return self.offers_sample_testing and self.status == "in_service"

    @property
    def region(self) -> str:
        return self.institution.region

    def clean(self):
        super().clean()
        errors = {}
        if self.min_minutes and self.max_minutes and self.min_minutes > self.max_minutes:
            errors["max_minutes"] = _("最长预约时长不能小于最短预约时长。")
        if self.slot_minutes:
            for field in ("min_minutes", "max_minutes"):
                value = getattr(self, field)
                if value and value % self.slot_minutes:
                    errors[field] = _("须为时段粒度的整数倍。")
        if not (self.offers_machine_time or self.offers_sample_testing):
            errors["offers_machine_time"] = _("至少提供一种服务方式。")
        if errors:
            raise ValidationError(errors)


class OpeningInterval(Orderable):
    """One opening interval on one weekday, in the instrument's wall-clock time."""

    instrument = ParentalKey(Instrument, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=WEEKDAYS)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta(Orderable.Meta):
        verbose_name = _("开放时段")
        verbose_name_plural = _("开放时段")
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="opening_interval_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": _("结束时间必须晚于开始时间。")})
        if self.end == time(0, 0):
            raise ValidationError({"end": _("开放时段不能跨越午夜。")})


class RefundTier(Orderable):
    """Cancelling at least `hours_before` hours ahead refunds `refund_percent` of the payment."""

    instrument = ParentalKey(Instrument, on_delete=models.CASCADE, related_name="refund_tiers")
    hours_before = models.PositiveIntegerField(
        _("提前小时数"), validators=[MaxValueValidator(8760)]
    )
    refund_percent = models.PositiveSmallIntegerField(
        _("退款比例（%）"), validators=[MaxValueValidator(100)]
    )

    class Meta(Orderable.Meta):
        verbose_name = _("退款规则")
        verbose_name_plural = _("退款规则")
        ordering = ["-hours_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "hours_before"], name="refund_tier_hours_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(refund_percent__lte=100), name="refund_tier_percent_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"≥{self.hours_before}h → {self.refund_percent}%"

    @property
    def sentence(self) -> str:
        """The tier as a sentence in the reader's language (a 0-hour or 0 % tier reads right)."""
        hours, percent = self.hours_before, self.refund_percent
        if percent == 0:
            if hours == 0:
                return gettext("此后取消不退款")
            return ngettext(
                "开始前 %(hours)s 小时以上取消也不退款",
                "开始前 %(hours)s 小时以上取消也不退款",
                hours,
            ) % {"hours": hours}
        if hours == 0:
            return gettext("开始前随时取消，退款 %(percent)s%%") % {"percent": percent}
        return ngettext(
            "开始前 %(hours)s 小时以上取消，退款 %(percent)s%%",
            "开始前 %(hours)s 小时以上取消，退款 %(percent)s%%",
            hours,
        ) % {"hours": hours, "percent": percent}


class BlackoutQuerySet(models.QuerySet):
    def overlapping(self, start, end):
        return self.filter(starts_at__lt=end, ends_at__gt=start)


class Blackout(models.Model):
    """A period an instrument cannot be booked (maintenance, holidays); may cross midnight."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="blackouts", verbose_name=_("仪器")
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    kind = models.CharField(
        _("类型"), max_length=16, choices=BlackoutKind.choices, default=BlackoutKind.MAINTENANCE
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)

    objects = BlackoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("停机时段")
        verbose_name_plural = _("停机时段")
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["instrument", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="blackout_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        starts, ends = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{self.instrument} {starts:%Y-%m-%d %H:%M}–{ends:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})


class IncubatorQuerySet(ListingQuerySet):
    def published(self):
        # Every public read shows the live vacancies: fetch the counter row in the same query.
        return super().published().select_related("capacity")


class Incubator(Listing):
    """双创载体: a maker space, incubator, accelerator, science park or demonstration base."""

    name = models.CharField(_("载体名称"), max_length=200)
    type = models.CharField(
        _("载体类型"), max_length=32, choices=IncubatorType.choices, db_index=True
    )
    level = models.CharField(
        _("级别"), max_length=16, choices=IncubatorLevel.choices, db_index=True
    )
    region = models.CharField(_("所在州市"), max_length=6, choices=Region.choices, db_index=True)
    county = models.CharField(_("县（市、区）"), max_length=50, blank=True)
    address = models.CharField(_("地址"), max_length=500, blank=True)
    lat = models.FloatField(
        _("纬度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(21.0), MaxValueValidator(29.5)],
    )
    lng = models.FloatField(
        _("经度"),
        null=True,
        blank=True,
        validators=[MinValueValidator(97.0), MaxValueValidator(106.5)],
    )
    operator = models.CharField(_("运营主体"), max_length=200, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    floor_area_m2 = models.DecimalField(
        _("场地面积（平方米）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=money_validators,
    )
    workstations_total = models.PositiveIntegerField(_("工位总数"), default=0)
    offices_total = models.PositiveIntegerField(_("独立办公室总数"), default=0)
    # The vacancies are live counters changed by workflows (residency acceptance) and so are
    # kept outside the revisioned row, in IncubatorCapacity: publishing any revision of the
    # listing can never write an old figure back.
    incubated_companies = models.PositiveIntegerField(_("在孵企业数"), default=0)
    services = models.JSONField(_("服务内容"), default=list, blank=True)
    focus_industries = models.JSONField(_("重点产业"), default=list, blank=True)
    description = models.TextField(_("简介"), max_length=20000, blank=True)
    website = models.URLField(_("网站"), max_length=500, blank=True)
    photo = optional_link(_("照片"), "wagtailimages.Image")
    _revisions, workflow_states = _moderation_relations("incubator")

    objects = IncubatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("孵化载体")
        verbose_name_plural = _("孵化载体")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["live", "region"]),
            models.Index(fields=["live", "code"]),
            *_live_indexes("incubator", ["region", "type", "code"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def revisions(self):
        return self._revisions

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            # Every incubator has its counter row (zero until set); an existing one is kept.
            IncubatorCapacity.objects.get_or_create(incubator_id=self.pk)
        # A lowered total (an edit published now) caps the live vacancies; never raises them.
        IncubatorCapacity.objects.filter(incubator_id=self.pk).update(
            workstations_vacant=Least(F("workstations_vacant"), self.workstations_total),
            offices_vacant=Least(F("offices_vacant"), self.offices_total),
        )

    def _capacity(self) -> IncubatorCapacity | None:
        if self.pk is None:
            return None
        try:
            return self.capacity
        except IncubatorCapacity.DoesNotExist:
            return None

    @property
    def workstations_vacant(self) -> int:
        """The live number of vacant workstations (never more than the total)."""
        capacity = self._capacity()
        vacant = capacity.workstations_vacant if capacity else None
        return self.vacancy(vacant, self.workstations_total)

    @property
    def offices_vacant(self) -> int:
        capacity = self._capacity()
        return self.vacancy(capacity.offices_vacant if capacity else None, self.offices_total)

    @staticmethod
    def vacancy(vacant: int | None, total: int) -> int:
        """The live vacancies shown of the counter's `vacant` (None: no counter row) and the
        listing's `total` (the API's lists read both as values)."""
        return 0 if vacant is None else min(vacant, total)

    def clean(self):
        super().clean()
        errors = {}
        if (self.lat is None) != (self.lng is None):
            errors["lng"] = _("经纬度须同时填写。")
        if errors:
            raise ValidationError(errors)

    def detail_context(self) -> dict:
        from .yunnan_map import map_pin

        return {"map_pin": map_pin(self.lat, self.lng)}


class IncubatorCapacity(models.Model):
    """The live vacancies of an incubator: counters, not content, so never revisioned.

    Residency acceptance takes workstations from here and a withdrawal gives them back, under
    a row lock; members set the figures with the admin's "空余数" action and the catalogue
    import sets them for incubators it creates. Totals stay on the listing (they are content);
    a vacancy above a total lowered later is shown and used as the total.
    """

    incubator = models.OneToOneField(
        Incubator,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="capacity",
        verbose_name=_("孵化载体"),
    )
    workstations_vacant = models.PositiveIntegerField(_("空余工位"), default=0)
    offices_vacant = models.PositiveIntegerField(_("空余办公室"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("空余工位与办公室")
        verbose_name_plural = _("空余工位与办公室")

    def __str__(self) -> str:
        return f"{self.incubator_id}: {self.workstations_vacant}/{self.offices_vacant}"


# A technology's boolean column per transfer mode, in the order of TransferMode.
TRANSFER_MODE_COLUMNS = tuple(f"mode_{mode}" for mode in TransferMode.values)


class Technology(Listing):
    """科技成果: a patent or other technology offered for transfer, licence or cooperation."""

    title = models.CharField(_("成果名称"), max_length=200)
    summary = models.TextField(_("成果简介"), max_length=4000)
    description = models.TextField(_("详细介绍"), max_length=20000, blank=True)
    # The full technical details; under NDA only the institution and the inquirers it grants
    # access to see them (marketplace.inquiries). Never indexed for search.
    details = models.TextField(_("技术详细资料"), max_length=50000, blank=True)
    details_under_nda = models.BooleanField(
        _("详细资料需签署保密协议"),
        default=False,
        help_text=_("勾选后，公众只能看到成果简介；详细资料仅向获准的意向方开放。"),
    )
    field = models.CharField(_("所属领域"), max_length=50, db_index=True)
    ip_type = models.CharField(
        _("知识产权类型"), max_length=32, choices=IpType.choices, db_index=True
    )
    ip_numbers = models.JSONField(_("专利号/登记号"), default=list, blank=True)
    ip_status = models.CharField(_("法律状态"), max_length=16, choices=IpStatus.choices, blank=True)
    trl = models.PositiveSmallIntegerField(
        _("技术成熟度（TRL）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        db_index=True,
    )
    mode_transfer = models.BooleanField(_("转让"), default=False)
    mode_license = models.BooleanField(_("许可"), default=False)
    mode_equity = models.BooleanField(_("作价投资"), default=False)
    mode_joint_development = models.BooleanField(_("合作开发"), default=False)
    asking_price = money_field(_("转让报价（元，空为面议）"))
    inventors = models.JSONField(_("完成人"), default=list, blank=True)
    _revisions, workflow_states = _moderation_relations("technology")

    class Meta:
        verbose_name = _("科技成果")
        verbose_name_plural = _("科技成果")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["live", "ip_type"]),
            models.Index(fields=["live", "code"]),
            # The list's order right after the IP type, TRL and institution tested in the
            # index: `ip_type = … AND trl >= 5 ORDER BY code LIMIT 20` walks it in order and
            # stops at the 20th match, where (ip_type, trl, …) found and sorted every match
            # of the TRL range (SQLite 11 ms for a region's invention patents).
            *_live_indexes(
                "technology", ["ip_type", "code", "trl", "institution"], ("code", "institution")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trl__isnull=True) | models.Q(trl__gte=1, trl__lte=9),
                name="technology_trl_1_to_9",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions

    @property
    def name(self) -> str:
        return self.title

    @property
    def transfer_modes(self) -> list[str]:
        return self.transfer_modes_of(*(getattr(self, column) for column in TRANSFER_MODE_COLUMNS))

    @staticmethod
    def transfer_modes_of(*offered: bool) -> list[str]:
        """`transfer_modes` of the TRANSFER_MODE_COLUMNS' values, in that order (the API's
        lists read them as values)."""
        return [mode for mode, on in zip(TransferMode.values, offered, strict=True) if on]

    @property
    def transfer_mode_labels(self) -> list[str]:
        return [TransferMode(mode).label for mode in self.transfer_modes]

    @property
    def region(self) -> str:
        return self.institution.region

    @property
    def public_details(self) -> str:
        """The details everyone may read: none while they are under NDA."""
        return "" if self.details_under_nda else self.details

    def clean(self):
        super().clean()
        if not self.transfer_modes:
            raise ValidationError({"mode_transfer": _("至少选择一种转化方式。")})
