"""Admin: departments (with aliases) and news categories as snippets; the stale-column panel."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Department, NewsCategory


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = _("部门")
    list_display = ["name", "full_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "full_name"]
    ordering = ["sort_order", "name"]


class NewsCategoryViewSet(SnippetViewSet):
    model = NewsCategory
    icon = "tag"
    menu_label = _("新闻分类")
    list_display = ["name", "slug", "sort_order"]


class CmsSnippets(SnippetViewSetGroup):
    items = (DepartmentViewSet, NewsCategoryViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("双创专区")
    menu_name = "shuangchuang"


register_snippet(CmsSnippets)


class ColumnFreshnessPanel(Component):
    """栏目更新情况: each column's last publication, stale ones in red (see cms.freshness)."""

    name = "column_freshness"
    template_name = "cms/admin/column_freshness.html"
    order = 50

    def get_context_data(self, parent_context):
        from .freshness import column_freshness
        from .models import site_identity

        context = super().get_context_data(parent_context)
        context["columns"] = column_freshness()
        context["limit"] = site_identity().stale_after_days
        return context


@hooks.register("construct_homepage_panels")
def add_column_freshness_panel(request, panels):
    panels.append(ColumnFreshnessPanel())
