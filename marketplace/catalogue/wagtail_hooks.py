"""The catalogue in the Wagtail admin: listings as moderated snippets, per institution."""

from __future__ import annotations

from functools import wraps

from django.contrib.admin.utils import unquote
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    HelpPanel,
    InlinePanel,
    MultiFieldPanel,
)
from wagtail.admin.ui.tables import StatusFlagColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from marketplace.accounts.models import Institution

from .admin_scoping import ScopedSnippetChooserViewSet, scope_log_entries
from .models import Blackout, Incubator, Instrument, Technology
from .permissions import ListingPermissionPolicy, is_platform_moderator, member_institution_ids

for _model in (Instrument, Incubator, Technology, Blackout):
    register_permission_policy(_model, ListingPermissionPolicy(_model), exact_class=True)


# The listings' "live" flag as a word (已发布 / 草稿), never "True".
LIVE_COLUMN = StatusFlagColumn(
    "live", label=_("发布状态"), true_label=_("已发布"), false_label=_("草稿")
)


class ListingForm(WagtailAdminModelForm):
    """Members may only assign their own institutions (moderators any)."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        restricted = for_user is not None and not is_platform_moderator(for_user)
        if "institution" in self.fields and restricted:
            self.fields["institution"].queryset = Institution.objects.filter(
                pk__in=member_institution_ids(for_user)
            )


class BlackoutForm(WagtailAdminModelForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        if for_user is not None and not is_platform_moderator(for_user):
            self.fields["instrument"].queryset = Instrument.objects.filter(
                institution_id__in=member_institution_ids(for_user)
            )


Instrument.base_form_class = ListingForm
Incubator.base_form_class = ListingForm
Technology.base_form_class = ListingForm
Blackout.base_form_class = BlackoutForm

# Site history, its exports and filters: members see entries about their own listings only.
scope_log_entries()


def _scoped_to_permitted_rows(view_func, viewset):
    """Wrap an admin view that takes a `pk`: rows the user may not manage are a 404.

    Wagtail's generic edit/delete/history/… views check the model permission, not the row,
    so the row check is done here, once, for every per-object URL of the viewset.
    """

    @wraps(view_func)
    def view(request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            permitted = viewset.permission_policy.instances_user_has_permission_for(
                request.user, "change"
            )
            if not permitted.filter(pk=unquote(str(pk))).exists():
                raise Http404
        return view_func(request, *args, **kwargs)

    return view


class InstitutionScopedViewSet(SnippetViewSet):
    """Every view (list, edit, delete, history, preview, chooser, …) sees only permitted rows;
    bulk actions and log entries are narrowed in admin_scoping.py."""

    chooser_viewset_class = ScopedSnippetChooserViewSet

    def get_queryset(self, request):
        return self.permission_policy.instances_user_has_permission_for(request.user, "change")

    def get_urlpatterns(self):
        patterns = super().get_urlpatterns()
        for pattern in patterns:
            if "pk" in pattern.pattern.regex.groupindex:
                pattern.callback = _scoped_to_permitted_rows(pattern.callback, self)
        return patterns


class InstrumentViewSet(InstitutionScopedViewSet):
    model = Instrument
    icon = "cogs"
    menu_label = pgettext_lazy("plural", "仪器")
    list_display = ["name", "code", "institution", "category", "status", LIVE_COLUMN]
    list_filter = ["category", "status", "live"]
    search_fields = ["name", "code", "model_number"]
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("code"),
                FieldPanel("institution"),
                FieldRowPanel([FieldPanel("name"), FieldPanel("name_en")]),
                FieldRowPanel([FieldPanel("category"), FieldPanel("status")]),
                FieldRowPanel([FieldPanel("model_number"), FieldPanel("manufacturer")]),
                FieldRowPanel([FieldPanel("origin_country"), FieldPanel("original_value")]),
                FieldRowPanel([FieldPanel("commissioned_on"), FieldPanel("location")]),
                FieldPanel("description"),
                FieldPanel("capabilities"),
                FieldPanel("photo"),
                FieldPanel("manual"),
            ],
            heading=_("仪器信息"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [FieldPanel("offers_machine_time"), FieldPanel("offers_sample_testing")]
                ),
                FieldRowPanel([FieldPanel("price_hourly"), FieldPanel("price_internal_hourly")]),
                FieldRowPanel(
                    [FieldPanel("price_per_sample"), FieldPanel("price_internal_per_sample")]
                ),
            ],
            heading=_("服务与收费"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("slot_minutes"),
                        FieldPanel("min_minutes"),
                        FieldPanel("max_minutes"),
                    ]
                ),
                FieldRowPanel([FieldPanel("min_notice_hours"), FieldPanel("max_advance_days")]),
                FieldRowPanel([FieldPanel("approval_required"), FieldPanel("training_required")]),
                FieldRowPanel(
                    [FieldPanel("max_active_bookings"), FieldPanel("max_hours_per_week")]
                ),
                InlinePanel("opening_hours", label=_("开放时段")),
                InlinePanel("refund_tiers", label=_("退款规则")),
            ],
            heading=_("预约规则"),
        ),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_phone"), FieldPanel("contact_email")],
            heading=_("联系方式"),
        ),
    ]


class LiveVacancyPanel(HelpPanel):
    """The live vacancies, read only in the edit form: they are counters, not revisioned content
    (a published revision must never write them back); the "修改空余数" link changes them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "catalogue/admin/live_vacancy_panel.html")
        super().__init__(**kwargs)


class IncubatorViewSet(InstitutionScopedViewSet):
    model = Incubator
    icon = "home"
    menu_label = _("孵化载体")
    list_display = [
        "name",
        "code",
        "institution",
        "type",
        "level",
        "workstations_vacant",
        LIVE_COLUMN,
    ]

    def get_queryset(self, request):
        # The vacancy column reads the live counter row: fetch it with the listing.
        return super().get_queryset(request).select_related("capacity")

    list_filter = ["type", "level", "region", "live"]
    search_fields = ["name", "code"]
    panels = [
        FieldPanel("code"),
        FieldPanel("institution"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("type"), FieldPanel("level")]),
        FieldRowPanel([FieldPanel("region"), FieldPanel("county")]),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("lat"), FieldPanel("lng")]),
        FieldRowPanel([FieldPanel("operator"), FieldPanel("established_on")]),
        FieldRowPanel([FieldPanel("floor_area_m2"), FieldPanel("incubated_companies")]),
        FieldRowPanel([FieldPanel("workstations_total"), FieldPanel("offices_total")]),
        LiveVacancyPanel(heading=_("空余工位与办公室（实时）")),
        FieldPanel("services"),
        FieldPanel("focus_industries"),
        FieldPanel("description"),
        FieldPanel("website"),
        FieldPanel("photo"),
        FieldRowPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_phone"), FieldPanel("contact_email")]
        ),
    ]


class TechnologyViewSet(InstitutionScopedViewSet):
    model = Technology
    icon = "doc-full"
    menu_label = _("科技成果")
    list_display = ["title", "code", "institution", "ip_type", "trl", LIVE_COLUMN]
    list_filter = ["ip_type", "ip_status", "live"]
    search_fields = ["title", "code", "field"]
    panels = [
        FieldPanel("code"),
        FieldPanel("institution"),
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [FieldPanel("details_under_nda"), FieldPanel("details")],
            heading=_("技术详细资料"),
        ),
        FieldRowPanel([FieldPanel("field"), FieldPanel("trl")]),
        FieldRowPanel([FieldPanel("ip_type"), FieldPanel("ip_status")]),
        FieldPanel("ip_numbers"),
        FieldRowPanel(
            [
                FieldPanel("mode_transfer"),
                FieldPanel("mode_license"),
                FieldPanel("mode_equity"),
                FieldPanel("mode_joint_development"),
            ],
            heading=_("转化方式"),
        ),
        FieldPanel("asking_price"),
        FieldPanel("inventors"),
        FieldRowPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_phone"), FieldPanel("contact_email")]
        ),
    ]


class BlackoutViewSet(InstitutionScopedViewSet):
    model = Blackout
    icon = "warning"
    menu_label = _("停机时段")
    list_display = ["instrument", "starts_at", "ends_at", "kind", "reason"]
    panels = [
        FieldPanel("instrument"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("kind"),
        FieldPanel("reason"),
    ]


class CatalogueGroup(SnippetViewSetGroup):
    items = (InstrumentViewSet, IncubatorViewSet, TechnologyViewSet, BlackoutViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("资源目录")
    menu_name = "catalogue"


register_snippet(CatalogueGroup)


@hooks.register("register_admin_urls")
def register_vacancy_url():
    from django.urls import path

    from .admin_views import set_vacancy_view

    return [
        path(
            "catalogue/incubator/<int:pk>/vacancy/",
            set_vacancy_view,
            name="catalogue_incubator_vacancy",
        )
    ]
