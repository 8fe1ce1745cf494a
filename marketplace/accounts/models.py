"""The platform's users, the institutions that list resources, and their memberships."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.model_fields import Timestamped
from marketplace.regions import Region

from .validators import validate_code, validate_credit_code


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


# The versions of 用户协议 and 隐私政策 a registration consents to; raise one when its text
# changes materially, so new consents name the text that was agreed to.
TERMS_VERSION = "2026-12"
PRIVACY_VERSION = "2026-12"


# What a person tells the institutions about themselves (个人资料), then how they are told
# things: the profile page and the API's /me edit the same fields, in this order.
PROFILE_FIELDS = ("real_name", "organisation", "organisation_credit_code", "phone")
SETTINGS_FIELDS = ("preferred_language", "email_notifications")


class User(AbstractUser):
    """A person: an enterprise user, an institution member or a platform editor."""

    email = models.EmailField(_("电子邮箱"), blank=True)
    phone = models.CharField(_("手机号码"), max_length=32, blank=True)
    # The profile institutions need to approve a booking or an application.
    real_name = models.CharField(_("真实姓名"), max_length=100, blank=True)
    organisation = models.CharField(_("所在单位"), max_length=200, blank=True)
    organisation_credit_code = models.CharField(
        _("单位统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    # Blank: the site default (settings.LANGUAGE_CODE) for emails.
    preferred_language = models.CharField(
        _("常用语言"), max_length=10, blank=True, choices=settings.LANGUAGES
    )
    email_notifications = models.BooleanField(_("接收邮件通知"), default=True)
    # 用户协议 / 隐私政策 consent at registration (PIPL): the versions agreed to and when.
    terms_version = models.CharField(_("用户协议版本"), max_length=20, blank=True)
    privacy_version = models.CharField(_("隐私政策版本"), max_length=20, blank=True)
    consented_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    # The secret in the user's iCalendar feed URL; issuing a new one revokes the old feed.
    calendar_token = models.CharField(
        _("日历订阅令牌"), max_length=64, unique=True, default=new_calendar_token, editable=False
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        swappable = "AUTH_USER_MODEL"

    def save(self, *args, **kwargs):
        # set_password() leaves the new raw password in _password until the save: a changed
        # password ends every API token (sessions elsewhere end through Django's session hash).
        password_changed = self.pk is not None and self._password is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .tokens import revoke_tokens

            revoke_tokens(self)

    @property
    def profile_complete(self) -> bool:
        """Real name, organisation and phone: what an institution needs to approve a request."""
        return bool(self.real_name and self.organisation and self.phone)

    @property
    def email_language(self) -> str:
        return self.preferred_language or settings.LANGUAGE_CODE

    def rotate_calendar_token(self) -> str:
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])
        return self.calendar_token


class InstitutionType(models.TextChoices):
    UNIVERSITY = "university", _("高等院校")
    RESEARCH_INSTITUTE = "research_institute", _("科研院所")
    ENTERPRISE = "enterprise", _("企业")
    INCUBATOR_OPERATOR = "incubator_operator", _("孵化载体运营机构")
    GOVERNMENT = "government", _("政府部门")
    OTHER = "other", _("其他")


class InstitutionQuerySet(models.QuerySet):
    def for_member(self, user) -> InstitutionQuerySet:
        """Institutions the user acts for; none for anonymous users."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


# What an institution publishes about itself besides its name, type and region: the catalogue
# import fills these and the API shows them, in this order.
INSTITUTION_DETAILS = (
    "credit_code",
    "address",
    "website",
    "description",
    "contact_name",
    "contact_email",
    "contact_phone",
)


class Institution(Timestamped):
    """A university, institute, incubator operator or enterprise that lists resources."""

    code = models.CharField(_("机构编码"), max_length=64, unique=True, validators=[validate_code])
    name = models.CharField(_("机构名称"), max_length=200)
    type = models.CharField(_("机构类型"), max_length=32, choices=InstitutionType.choices)
    region = models.CharField(_("所在州市"), max_length=6, choices=Region.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    address = models.CharField(_("地址"), max_length=500, blank=True)
    website = models.URLField(_("网站"), max_length=500, blank=True)
    description = models.TextField(_("简介"), max_length=20000, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=200, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), max_length=254, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    # Stripe Connect account that receives online payments for this institution's services.
    stripe_account_id = models.CharField(_("Stripe 收款账户"), max_length=255, blank=True)
    # 收款信息 for bank transfers (对公转账), shown to payers with the amount and 汇款附言.
    payee_account_name = models.CharField(_("收款户名"), max_length=200, blank=True)
    payee_bank = models.CharField(_("开户行"), max_length=200, blank=True)
    payee_account_number = models.CharField(_("收款账号"), max_length=64, blank=True)
    # Published instruments, kept by marketplace.catalogue.counts (never counted per view).
    instrument_count = models.PositiveIntegerField(_("开放仪器数"), default=0, editable=False)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="institution_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_payee_details(self) -> bool:
        return bool(self.payee_account_name and self.payee_bank and self.payee_account_number)

    @property
    def region_name(self) -> str:
        return Region(self.region).label


class Role(models.TextChoices):
    MANAGER = "manager", _("管理员")
    STAFF = "staff", _("工作人员")


class Membership(models.Model):
    """A user acting for an institution, as its manager or as staff."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("用户")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("机构"),
    )
    role = models.CharField(_("角色"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "institution"], name="membership_one_role_per_institution"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["manager", "staff"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution.code} ({self.get_role_display()})"
