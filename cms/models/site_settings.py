"""网站设置: the identity every Chinese government site shows (主办、备案), editable in the admin.

Each identity field left blank in the admin falls back to its environment variable (SITE_OWNER,
SITE_ORGANISER, SITE_ID_CODE, ICP_RECORD, PSB_RECORD, SITE_CONTACT), so a deployment can be
configured without touching the database and an editor can still correct a value later.
The values of the default site are cached (every page's footer shows them) and the cache is
dropped whenever the settings or a site change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

IDENTITY_CACHE_KEY = "cms:site-identity:v1"
IDENTITY_CACHE_SECONDS = 60  # per process (the 'local' cache): other servers follow within a minute
MIIT_FILING_URL = "https://beian.miit.gov.cn/"
PSB_FILING_URL = "https://beian.mps.gov.cn/#/query/webSearch?code="
DEFAULT_STALE_AFTER_DAYS = 14

# (model field, settings name): what falls back to the environment.
IDENTITY_FIELDS = (
    ("owner", "SITE_OWNER"),
    ("organiser", "SITE_ORGANISER"),
    ("site_id_code", "SITE_ID_CODE"),
    ("icp_record", "ICP_RECORD"),
    ("psb_record", "PSB_RECORD"),
    ("contact", "SITE_CONTACT"),
)


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """主办单位、网站标识码、ICP 与公安备案，以及栏目更新提醒的天数。"""

    owner = models.CharField(
        _("主办单位"),
        max_length=200,
        blank=True,
        help_text=_("留空则使用环境变量 SITE_OWNER 的值。"),
    )
    organiser = models.CharField(
        _("承办单位"),
        max_length=200,
        blank=True,
        help_text=_("留空则使用环境变量 SITE_ORGANISER 的值。"),
    )
    site_id_code = models.CharField(
        _("网站标识码"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{10}$", _("网站标识码是 10 位数字。"))],
        help_text=_("留空则使用环境变量 SITE_ID_CODE 的值。"),
    )
    icp_record = models.CharField(
        _("ICP备案号"),
        max_length=50,
        blank=True,
        help_text=_("如“滇ICP备12345678号”。留空则使用环境变量 ICP_RECORD 的值。"),
    )
    psb_record = models.CharField(
        _("公安机关备案号"),
        max_length=50,
        blank=True,
        help_text=_("如“滇公网安备53010202000001号”。留空则使用环境变量 PSB_RECORD 的值。"),
    )
    contact = models.CharField(
        _("联系方式"),
        max_length=200,
        blank=True,
        help_text=_("电话或邮箱。留空则使用环境变量 SITE_CONTACT 的值。"),
    )
    stale_after_days = models.PositiveSmallIntegerField(
        _("栏目更新提醒（天）"),
        default=DEFAULT_STALE_AFTER_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_(
            "首页或栏目超过这么多天没有发布新内容时，管理后台首页以红色提醒（政府网站检查以两周为限）。"
        ),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("owner"),
                FieldPanel("organiser"),
                FieldPanel("site_id_code"),
                FieldPanel("icp_record"),
                FieldPanel("psb_record"),
                FieldPanel("contact"),
            ],
            heading=_("网站标识"),
        ),
        FieldPanel("stale_after_days"),
    ]

    class Meta:
        verbose_name = _("网站设置")
        verbose_name_plural = _("网站设置")


@dataclass(frozen=True)
class SiteIdentity:
    """What the footer and <head> show; each value is the admin's or the environment's."""

    owner: str = ""
    organiser: str = ""
    site_id_code: str = ""
    icp_record: str = ""
    psb_record: str = ""
    contact: str = ""
    stale_after_days: int = DEFAULT_STALE_AFTER_DAYS

    @property
    def miit_url(self) -> str:
        return MIIT_FILING_URL

    @property
    def psb_url(self) -> str:
        """The 全国互联网安全管理服务平台 query for the 公安备案 number (its digits)."""
        digits = "".join(re.findall(r"\d", self.psb_record))
        return PSB_FILING_URL + digits if digits else ""


def _stored_values() -> dict:
    """The default site's stored values (blank where the admin left them blank), cached."""
    values = caches["local"].get(IDENTITY_CACHE_KEY)
    if values is None:
        row = (
            SiteSettings.objects.filter(site__is_default_site=True)
            .values(*[field for field, _name in IDENTITY_FIELDS], "stale_after_days")
            .first()
        )
        values = row or {}
        caches["local"].set(IDENTITY_CACHE_KEY, values, IDENTITY_CACHE_SECONDS)
    return values


def site_identity() -> SiteIdentity:
    """The identity of the default site: the admin's values, else the environment's."""
    stored = _stored_values()
    values = {
        field: (stored.get(field) or getattr(settings, name, "") or "").strip()
        for field, name in IDENTITY_FIELDS
    }
    return SiteIdentity(
        **values, stale_after_days=stored.get("stale_after_days") or DEFAULT_STALE_AFTER_DAYS
    )


def forget_site_identity(**kwargs) -> None:
    caches["local"].delete(IDENTITY_CACHE_KEY)
