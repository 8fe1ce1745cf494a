"""科技创新券 (innovation vouchers): programmes, enterprises and their eligibility, balances,
the uses at checkout, providers' claims and settlement batches, and the double-entry ledger
every movement of voucher money writes (see `ledger.py`).

Money is Decimal yuan. A `Balance` carries the running figures of one enterprise in one
programme year (locked with select_for_update by every movement); the ledger's postings are
the record they are checked against (`check_voucher_ledger`).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.validators import validate_credit_code
from marketplace.model_fields import optional_link, person
from marketplace.uploads import private_storage
from marketplace.workflow import TransitionRecord, logged_item

ZERO = Decimal("0.00")


def _money(label, **kwargs):
    return models.DecimalField(label, max_digits=14, decimal_places=2, **kwargs)


class ServiceKind(models.TextChoices):
    MACHINE_TIME = "machine_time", _("仪器机时")
    SAMPLE_TESTING = "sample_testing", _("送样检测")
    TECHNOLOGY_LICENCE = "technology_licence", _("技术许可")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("实施中")
    CLOSED = "closed", _("已结束")


class Programme(models.Model):
    """A subsidy programme of an issuing body: its budget, percentage and caps."""

    name = models.CharField(_("名称"), max_length=200)
    issuer = models.CharField(_("发放单位"), max_length=200)
    budget = _money(_("预算（元）"), validators=[MinValueValidator(ZERO)])
    subsidy_percent = models.DecimalField(
        _("补贴比例（%）"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    enterprise_annual_cap = _money(
        _("每家企业年度上限（元）"), validators=[MinValueValidator(ZERO)]
    )
    order_cap = _money(_("单笔订单上限（元）"), validators=[MinValueValidator(ZERO)])
    # ServiceKind values.
    kinds = models.JSONField(_("适用服务类型"), default=list)
    institutions = models.ManyToManyField(
        "accounts.Institution",
        blank=True,
        related_name="voucher_programmes",
        verbose_name=_("适用服务机构（留空为不限）"),
    )
    # InstrumentCategory values; empty: every category.
    categories = models.JSONField(_("适用仪器分类（留空为不限）"), default=list, blank=True)
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("创新券项目")
        verbose_name_plural = _("创新券项目")
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__gte=models.F("valid_from")),
                name="voucher_programme_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(subsidy_percent__gt=0, subsidy_percent__lte=100),
                name="voucher_programme_percent_range",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0, enterprise_annual_cap__gte=0, order_cap__gte=0),
                name="voucher_programme_amounts_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """An enterprise using vouchers, known by its 统一社会信用代码; its people are linked
    through their applications (`EnterpriseMember`)."""

    name = models.CharField(_("企业名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    # The enterprise's own institution on the platform, if it provides services itself:
    # vouchers are never used on its services (self-dealing).
    institution = optional_link(_("本企业的服务机构"), "accounts.Institution")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")

    def __str__(self) -> str:
        return gettext("%(name)s（%(credit_code)s）") % {
            "name": self.name,
            "credit_code": self.credit_code,
        }


class EnterpriseMember(models.Model):
    """A person acting for an enterprise (one enterprise per person)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voucher_enterprise"
    )

    class Meta:
        verbose_name = _("企业人员")
        verbose_name_plural = _("企业人员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.enterprise}"


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待州市审核")
    PREFECTURE_APPROVED = "prefecture_approved", _("待省级审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


class Decision(models.TextChoices):
    APPROVE = "approve", _("通过")
    REJECT = "reject", _("不通过")


def document_upload_to(application: Application, filename: str) -> str:
    return f"voucher-applications/{application.enterprise_id}/{filename}"


class Application(models.Model):
    """An enterprise's eligibility application to a programme for a year, reviewed twice:
    州市 (prefecture) then 省 (province)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="applications", verbose_name=_("项目")
    )
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="applications", verbose_name=_("企业")
    )
    applicant = person(_("申请人"), "voucher_applications")
    year = models.PositiveIntegerField(_("年度"))
    document = models.FileField(
        _("申请材料"), upload_to=document_upload_to, storage=private_storage
    )
    document_name = models.CharField(_("材料文件名"), max_length=200)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
        db_index=True,
    )
    prefecture_decision = models.CharField(
        _("州市审核结论"), max_length=10, choices=Decision.choices, blank=True
    )
    prefecture_comment = models.CharField(_("州市审核意见"), max_length=500, blank=True)
    prefecture_by = optional_link(_("州市审核人"))
    prefecture_at = models.DateTimeField(_("州市审核时间"), null=True, blank=True)
    province_decision = models.CharField(
        _("省级审核结论"), max_length=10, choices=Decision.choices, blank=True
    )
    province_comment = models.CharField(_("省级审核意见"), max_length=500, blank=True)
    province_by = optional_link(_("省级审核人"))
    province_at = models.DateTimeField(_("省级审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("创新券资格申请")
        verbose_name_plural = _("创新券资格申请")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one application under review or approved per enterprise, programme, year.
            models.UniqueConstraint(
                fields=["programme", "enterprise", "year"],
                condition=~models.Q(status="rejected"),
                name="voucher_one_live_application",
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.programme} {self.year}"


class ApplicationTransition(TransitionRecord):
    application = logged_item(Application)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("审核记录")
        verbose_name_plural = _("审核记录")


class Balance(models.Model):
    """One enterprise's voucher balance in one programme year, whoever of it uses it.

    granted = available + committed + spent, always; spent counts services delivered (also
    those claimed and settled since)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="balances")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="balances")
    year = models.PositiveIntegerField(_("年度"))
    granted = _money(_("核定额度"), default=ZERO)
    available = _money(_("可用余额"), default=ZERO)
    committed = _money(_("已占用"), default=ZERO)
    spent = _money(_("已使用"), default=ZERO)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("创新券余额")
        verbose_name_plural = _("创新券余额")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "enterprise", "year"], name="voucher_one_balance_per_year"
            ),
            models.CheckConstraint(
                condition=models.Q(available__gte=0, committed__gte=0, spent__gte=0),
                name="voucher_balance_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.programme} {self.year}"


class UseStatus(models.TextChoices):
    COMMITTED = "committed", _("已占用")
    SPENT = "spent", _("已使用")
    RELEASED = "released", _("已释放")


class VoucherUse(models.Model):
    """A voucher used on one service line (a booking, a sample order): the voucher's share of
    its price, reserved when chosen, spent when the service is completed, released when it
    ends otherwise. `item_type` is the payable's model name (payments.payables)."""

    balance = models.ForeignKey(Balance, on_delete=models.PROTECT, related_name="uses")
    item_type = models.CharField(max_length=40)
    item_id = models.PositiveBigIntegerField()
    kind = models.CharField(_("服务类型"), max_length=20, choices=ServiceKind.choices)
    description = models.CharField(_("服务"), max_length=300)
    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="voucher_uses",
        verbose_name=_("服务机构"),
    )
    user = person(_("使用人"), "voucher_uses")
    price = _money(_("服务金额"))
    share = _money(_("创新券抵扣"))
    payer_share = _money(_("自付金额"))
    status = models.CharField(
        _("状态"), max_length=10, choices=UseStatus.choices, default=UseStatus.COMMITTED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    spent_at = models.DateTimeField(_("服务完成时间"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("创新券使用")
        verbose_name_plural = _("创新券使用")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_type", "item_id"],
                condition=~models.Q(status="released"),
                name="voucher_one_use_per_service",
            ),
            models.CheckConstraint(
                condition=models.Q(share__gt=0, payer_share__gte=0)
                & models.Q(price=models.F("share") + models.F("payer_share")),
                name="voucher_use_shares_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} {self.share}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    DECIDED = "decided", _("已审核")
    BATCHED = "batched", _("已纳入结算批次")
    PAID = "paid", _("已兑付")


class Claim(models.Model):
    """A provider's monthly claim (兑现申请) gathering its completed subsidised services."""

    institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        related_name="voucher_claims",
        verbose_name=_("服务机构"),
    )
    month = models.DateField(_("月份"))  # the first of the month (Asia/Shanghai)
    status = models.CharField(
        _("状态"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    submitted_by = optional_link(_("提交人"))
    batch = models.ForeignKey(
        "SettlementBatch",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="claims",
        verbose_name=_("结算批次"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("兑现申请")
        verbose_name_plural = _("兑现申请")
        ordering = ["-month", "pk"]

    def __str__(self) -> str:
        return f"{self.institution} {self.month:%Y-%m}"


class LineStatus(models.TextChoices):
    OPEN = "open", _("待申请")
    CLAIMED = "claimed", _("待审核")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("已驳回")
    PAID = "paid", _("已兑付")


class ClaimLine(models.Model):
    """One completed subsidised service, claimable once by its provider (one line per use)."""

    use = models.OneToOneField(VoucherUse, on_delete=models.PROTECT, related_name="claim_line")
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.PROTECT, related_name="lines"
    )
    institution = models.ForeignKey(
        "accounts.Institution", on_delete=models.PROTECT, related_name="voucher_claim_lines"
    )
    amount = _money(_("申请兑现金额"))
    # What proves the service: the item, its actual usage, the payer's payments.
    evidence = models.JSONField(_("证明材料"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=LineStatus.choices, default=LineStatus.OPEN
    )
    comment = models.CharField(_("审核意见"), max_length=500, blank=True)
    decided_by = optional_link(_("审核人"))
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("兑现明细")
        verbose_name_plural = _("兑现明细")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="voucher_line_positive")
        ]

    def __str__(self) -> str:
        return f"{self.use} ({self.get_status_display()})"


class SettlementBatch(models.Model):
    """Approved claims paid together by the finance office, exported and marked paid."""

    created_by = optional_link(_("创建人"))
    created_at = models.DateTimeField(auto_now_add=True)
    total = _money(_("合计"), default=ZERO)
    paid_reference = models.CharField(_("付款凭证号"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("付款时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("结算批次")
        verbose_name_plural = _("结算批次")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.total}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class MovementKind(models.TextChoices):
    GRANT = "grant", _("核定")
    COMMIT = "commit", _("占用")
    RELEASE = "release", _("释放")
    SPEND = "spend", _("使用")
    CLAIM = "claim", _("申请兑现")
    SETTLE = "settle", _("兑付")


class Account(models.TextChoices):
    BUDGET = "budget", _("项目预算")
    AVAILABLE = "available", _("可用")
    COMMITTED = "committed", _("占用")
    SPENT = "spent", _("已使用未申请")
    CLAIMED = "claimed", _("已申请兑现")
    SETTLED = "settled", _("已兑付")


class Movement(models.Model):
    """One movement of voucher money; its postings balance (sum to zero)."""

    kind = models.CharField(max_length=10, choices=MovementKind.choices)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="movements")
    balance = models.ForeignKey(Balance, on_delete=models.PROTECT, related_name="movements")
    use = models.ForeignKey(
        VoucherUse, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    line = models.ForeignKey(
        ClaimLine, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    amount = _money(_("金额"))
    by = optional_link(_("操作人"))
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("创新券流水")
        verbose_name_plural = _("创新券流水")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="voucher_movement_pos")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


class Posting(models.Model):
    """One side of a movement: `amount` (signed) on an account of a programme and balance."""

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="postings")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    balance = models.ForeignKey(Balance, on_delete=models.PROTECT, related_name="postings")
    account = models.CharField(max_length=10, choices=Account.choices)
    amount = _money(_("金额"))

    class Meta:
        indexes = [models.Index(fields=["programme", "account"])]

    def __str__(self) -> str:
        return f"{self.account} {self.amount}"
