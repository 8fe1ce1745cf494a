"""Departments (责任单位) and news categories: snippets managed by editors."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.base import ModelState
from django.urls import get_script_prefix, reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable
from wagtail.search import index


def index_number_format_choices() -> list[tuple[str, str]]:
    return [(key, str(spec["label"])) for key, spec in settings.CMS_INDEX_NUMBER_FORMATS.items()]


class DepartmentQuerySet(models.QuerySet):
    def with_aliases(self):
        return self.prefetch_related("aliases")

    def resolver(self):
        """A DepartmentResolver over every department and alias (two queries)."""
        from cms.importer.departments import DepartmentResolver

        return DepartmentResolver(
            [
                (d.name, [d.full_name, *(a.name for a in d.aliases.all())])
                for d in self.with_aliases()
            ]
        )


# (script prefix, slug) → URL: a few hundred departments at most, each reversed once per process.
_DEPARTMENT_URL: dict[tuple[str, str], str] = {}


class Department(index.Indexed, ClusterableModel):
    """A responsible department (责任单位), with every spelling policies use for it."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("省政府及办公厅")
        PARTY = "party", _("省委部门")
        PROVINCIAL = "provincial", _("省直部门")
        CENTRAL = "central", _("中央驻滇单位")
        MASS = "mass", _("群团组织")
        GROUP = "group", _("部门群组")

    name = models.CharField(
        _("规范简称"),
        max_length=100,
        unique=True,
        help_text=_("政策文件中通用的写法，如“省发展改革委”。"),
    )
    full_name = models.CharField(_("全称"), max_length=200, blank=True)
    slug = models.SlugField(_("网址名"), max_length=100, unique=True, allow_unicode=True)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices, default=Kind.PROVINCIAL)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)
    index_number_format = models.CharField(
        _("索引号格式"),
        max_length=30,
        blank=True,
        choices=index_number_format_choices,
        help_text=_("作为发文机关时，所发文件索引号须符合的格式；留空则使用默认格式。"),
    )

    objects = DepartmentQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("full_name"),
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldPanel("sort_order"),
        FieldPanel("index_number_format"),
        InlinePanel("aliases", label=_("别名")),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("full_name")]

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=True)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """reverse("cms:department", args=[slug]), once per slug and process.

        A policy page links every department badge of its measures (hundreds per page); each
        reverse() resolved the pattern and quoted the slug again.
        """
        key = (get_script_prefix(), self.slug)
        url = _DEPARTMENT_URL.get(key)
        if url is None:
            url = _DEPARTMENT_URL[key] = reverse("cms:department", args=[self.slug])
        return url

    def __copy__(self):
        """A shallow copy with its own state, as copy.copy() makes through pickling's hooks.

        Wagtail copies a department each time a policy's structure names it again (a distinct
        instance per mention, `ChooserBlock.bulk_to_python`): over a hundred per policy page,
        and through `__reduce__` each copy was most of a measure's rendering time (issue 17).
        """
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        state = clone._state = ModelState()
        state.__dict__.update(self._state.__dict__)
        state.fields_cache = dict(self._state.fields_cache)
        return clone

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    def index_number_spec(self) -> dict:
        key = self.index_number_format or settings.CMS_DEFAULT_INDEX_NUMBER_FORMAT
        return settings.CMS_INDEX_NUMBER_FORMATS[key]


class DepartmentAlias(Orderable):
    """Another spelling of a department ("发展改革委", "省发改委"); unique across departments."""

    department = ParentalKey(Department, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("别名"), max_length=100, unique=True)

    panels = [FieldPanel("name")]

    class Meta(Orderable.Meta):
        verbose_name = _("部门别名")
        verbose_name_plural = _("部门别名")

    def __str__(self) -> str:
        return self.name


class NewsCategory(models.Model):
    """双创动态 category (工作动态、媒体报道、地方动态 …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("网址名"), max_length=50, unique=True, allow_unicode=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=100)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]

    class Meta:
        verbose_name = _("新闻分类")
        verbose_name_plural = _("新闻分类")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name
