"""入孵申请: a company applies to an incubator; the incubator's institution reviews, comments
internally, accepts with workstations or rejects with a reason; the company moves in."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.accounts.validators import validate_credit_code
from marketplace.catalogue.models import Incubator
from marketplace.model_fields import optional_link, person
from marketplace.uploads import private_storage
from marketplace.workflow import TransitionRecord, WorkflowItem, logged_item

MAX_TEAM_SIZE = 10000
MAX_SUMMARY_LENGTH = 4000


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("审核中")
    ACCEPTED = "accepted", _("已录取")
    REJECTED = "rejected", _("未录取")
    WITHDRAWN = "withdrawn", _("已撤回")
    MOVED_IN = "moved_in", _("已入驻")


OPEN_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.ACCEPTED)


class Stage(models.TextChoices):
    IDEA = "idea", _("创意阶段")
    PROTOTYPE = "prototype", _("产品原型")
    EARLY_REVENUE = "early_revenue", _("初创营收")
    GROWTH = "growth", _("快速成长")
    MATURE = "mature", _("成熟期")


def business_plan_upload_to(application: Application, filename: str) -> str:
    return f"business-plans/{application.incubator_id}/{filename}"


# What an applicant fills in: the form, the API, the service and the oversight pages share it.
APPLICANT_FIELDS = (
    "company_name",
    "credit_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "team_size",
    "stage",
    "business_summary",
)


class Application(WorkflowItem):
    incubator = models.ForeignKey(
        Incubator,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("孵化载体"),
    )
    applicant = person(_("申请人"), "residency_applications")
    company_name = models.CharField(_("企业（团队）名称"), max_length=200)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("已注册企业填写，18 位。"),
    )
    contact_name = models.CharField(_("联系人"), max_length=100)
    contact_phone = models.CharField(_("联系电话"), max_length=30)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    team_size = models.PositiveIntegerField(
        _("团队人数"), validators=[MinValueValidator(1), MaxValueValidator(MAX_TEAM_SIZE)]
    )
    stage = models.CharField(
        _("发展阶段"), max_length=20, choices=Stage.choices, default=Stage.IDEA
    )
    business_summary = models.TextField(_("项目简介"), max_length=MAX_SUMMARY_LENGTH)
    business_plan = models.FileField(
        _("商业计划书"),
        storage=private_storage,
        upload_to=business_plan_upload_to,
        max_length=300,
        blank=True,
    )
    business_plan_name = models.CharField(_("商业计划书文件名"), max_length=200, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    workstations_allocated = models.PositiveIntegerField(_("分配工位数"), default=0)
    decision_reason = models.CharField(_("决定说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    moved_in_at = models.DateTimeField(_("入驻时间"), null=True, blank=True)

    owner_path = "applicant"
    institution_path = "incubator__institution"

    class Meta:
        verbose_name = _("入孵申请")
        verbose_name_plural = _("入孵申请")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["incubator", "status"], name="residency_incubator_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team_size__gte=1, team_size__lte=MAX_TEAM_SIZE),
                name="residency_team_size_sane",
            )
        ]

    def __str__(self) -> str:
        return f"{self.company_name} → {self.incubator.name}"


class ApplicationTransition(TransitionRecord):
    application = logged_item(Application)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("入孵申请处理记录")
        verbose_name_plural = _("入孵申请处理记录")


class ApplicationComment(models.Model):
    """An internal review note by a member of the incubator's institution; never shown to the
    applicant (not on their pages, not in the API, not in any notice)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="comments")
    author = optional_link(_("作者"), blank=False)
    text = models.TextField(_("内部意见"), max_length=2000)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("内部审核意见")
        verbose_name_plural = _("内部审核意见")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:50]
