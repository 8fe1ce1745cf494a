"""Admin registration: departments (with aliases) and news categories as snippets."""

from django.utils.translation import gettext_lazy as _
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
