"""Technology inquiries (意向洽谈): an enterprise's thread with the institution that owns a
technology listing, its status, the deal once agreed, and the log of every change.

An inquirer holds at most one active (open or negotiating) inquiry per technology; a unique
partial index keeps it so on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import Technology
from marketplace.catalogue.vocabularies import TransferMode
from marketplace.model_fields import Timestamped, optional_link, person
from marketplace.workflow import TransitionRecord, WorkflowItem, logged_item


class Status(models.TextChoices):
    OPEN = "open", _("待回复")
    NEGOTIATING = "negotiating", _("洽谈中")
    AGREED = "agreed", _("已成交")
    CLOSED = "closed", _("已关闭")


ACTIVE_STATUSES = (Status.OPEN, Status.NEGOTIATING)


class Inquiry(Timestamped, WorkflowItem):
    technology = models.ForeignKey(
        Technology, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("科技成果")
    )
    inquirer = person(_("意向方"), "inquiries")
    intended_mode = models.CharField(_("意向转化方式"), max_length=32, choices=TransferMode.choices)
    message = models.TextField(_("洽谈意向"), max_length=4000)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    deal_mode = models.CharField(
        _("成交方式"), max_length=32, choices=TransferMode.choices, blank=True
    )
    deal_amount = models.DecimalField(
        _("成交金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contract_date = models.DateField(_("合同签订日期"), null=True, blank=True)
    contract_registration_no = models.CharField(_("技术合同登记号"), max_length=64, blank=True)
    details_access_granted_at = models.DateTimeField(_("详细资料开放时间"), null=True, blank=True)
    details_access_granted_by = optional_link(_("详细资料开放人"))
    closed_reason = models.CharField(_("关闭原因"), max_length=500, blank=True)

    owner_path = "inquirer"
    institution_path = "technology__institution"

    class Meta:
        verbose_name = _("意向洽谈")
        verbose_name_plural = _("意向洽谈")
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["technology", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["technology", "inquirer"],
                condition=models.Q(status__in=["open", "negotiating"]),
                name="inquiry_one_active_per_inquirer",
            ),
            models.CheckConstraint(
                condition=models.Q(deal_amount__isnull=True) | models.Q(deal_amount__gte=0),
                name="inquiry_deal_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="agreed")
                | (
                    ~models.Q(deal_mode="")
                    & models.Q(deal_amount__isnull=False)
                    & models.Q(contract_date__isnull=False)
                ),
                name="inquiry_agreed_has_deal",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.technology}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def details_access_granted(self) -> bool:
        return self.details_access_granted_at is not None


class InquiryMessage(models.Model):
    """One message of the thread; the inquiry's first message is the first row."""

    inquiry = models.ForeignKey(
        Inquiry, on_delete=models.CASCADE, related_name="messages", verbose_name=_("意向洽谈")
    )
    author = person(_("发言人"))
    body = models.TextField(_("内容"), max_length=4000)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("洽谈留言")
        verbose_name_plural = _("洽谈留言")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"#{self.inquiry_id} {self.body[:40]}"


class InquiryTransition(TransitionRecord):
    """One row per change of status of an inquiry: who, when, from, to, why."""

    inquiry = logged_item(Inquiry)

    class Meta(TransitionRecord.Meta):
        verbose_name = _("洽谈状态变更")
        verbose_name_plural = _("洽谈状态变更")
