"""创新券 in the Wagtail admin (group 创新券管理员): programmes and enterprises are edited here;
applications, balances, uses, claims and batches are listed and inspected — their state moves
only through `services` (reviews, claims, batches), so the ledger stays whole."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import (
    Application,
    Balance,
    Claim,
    ClaimLine,
    Enterprise,
    Programme,
    SettlementBatch,
    VoucherUse,
)


class ProgrammeViewSet(SnippetViewSet):
    model = Programme
    icon = "tag"
    menu_label = _("创新券项目")
    list_display = ["name", "issuer", "budget", "subsidy_percent", "valid_to", "status"]
    list_filter = ["status"]
    inspect_view_enabled = True
    panels = [
        FieldPanel("name"),
        FieldPanel("issuer"),
        FieldPanel("budget"),
        FieldPanel("subsidy_percent"),
        FieldPanel("enterprise_annual_cap"),
        FieldPanel("order_cap"),
        FieldPanel("kinds"),
        FieldPanel("institutions"),
        FieldPanel("categories"),
        FieldPanel("valid_from"),
        FieldPanel("valid_to"),
        FieldPanel("status"),
    ]


class EnterpriseViewSet(SnippetViewSet):
    model = Enterprise
    icon = "group"
    menu_label = _("企业")
    list_display = ["name", "credit_code", "institution"]
    search_fields = ["name", "credit_code"]
    panels = [FieldPanel("name"), FieldPanel("credit_code"), FieldPanel("institution")]


def _read_only(model_class, label, columns, filters=()):
    return type(
        f"{model_class.__name__}ViewSet",
        (SnippetViewSet,),
        {
            "model": model_class,
            "icon": "list-ul",
            "menu_label": label,
            "list_display": columns,
            "list_filter": list(filters),
            "inspect_view_enabled": True,
        },
    )


class VoucherGroup(SnippetViewSetGroup):
    items = (
        ProgrammeViewSet,
        EnterpriseViewSet,
        _read_only(
            Application,
            _("创新券资格申请"),
            ["enterprise", "programme", "year", "status"],
            ["status"],
        ),
        _read_only(
            Balance,
            _("创新券余额"),
            ["enterprise", "programme", "year", "granted", "available", "committed", "spent"],
        ),
        _read_only(
            VoucherUse,
            _("创新券使用"),
            ["description", "institution", "share", "payer_share", "status"],
            ["status"],
        ),
        _read_only(Claim, _("兑现申请"), ["institution", "month", "status", "batch"], ["status"]),
        _read_only(
            ClaimLine, _("兑现明细"), ["use", "institution", "amount", "status"], ["status"]
        ),
        _read_only(SettlementBatch, _("结算批次"), ["pk", "total", "paid_reference", "paid_at"]),
    )
    menu_icon = "tag"
    menu_label = _("科技创新券")
    menu_name = "vouchers"


register_snippet(VoucherGroup)
