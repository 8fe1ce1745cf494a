"""Policy documents (政策文件), their interpretations (政策解读) and who is responsible for what."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms import page_cache
from cms.blocks import BodyBlock, PolicyStructureBlock
from cms.public_urls import public_root_url

from .base import (
    LocaleFallbackMixin,
    SeoMixin,
    library_page,
    public,
)


def validate_index_number(value: str, spec: dict) -> None:
    """索引号 against a format from settings.CMS_INDEX_NUMBER_FORMATS (digits in fixed parts)."""
    parts = spec.get("parts") or []
    if not parts:
        return
    separator = spec.get("separator", "-")
    digits = re.sub(r"[\s" + re.escape(separator) + r"/]", "", value)
    written_parts = [p for p in re.split(r"[\s" + re.escape(separator) + r"/]+", value) if p]
    ok = digits.isdigit() and len(digits) == sum(parts)
    if ok and len(written_parts) > 1:
        ok = [len(p) for p in written_parts] == list(parts)
    if not ok:
        raise ValidationError(
            _(
                "索引号格式不正确：应为 %(total)s 位数字，分 %(count)s 段（%(parts)s），如 %(example)s。"
            ),
            params={
                "total": sum(parts),
                "count": len(parts),
                "parts": "-".join(str(p) for p in parts),
                "example": spec.get("example", ""),
            },
        )


def format_index_number(value: str, spec: dict) -> str:
    """Digits only → the parts joined by the format's separator; anything else unchanged."""
    parts = spec.get("parts") or []
    digits = re.sub(r"\D", "", value)
    if not parts or len(digits) != sum(parts):
        return value
    out, start = [], 0
    for length in parts:
        out.append(digits[start : start + length])
        start += length
    return spec.get("separator", "-").join(out)


class PolicyIndexPage(LocaleFallbackMixin, SeoMixin, Page):
    """政策文件: the policy library, filterable by issuing body, year, validity and department."""

    intro = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.PolicyPage", "cms.PolicyInterpretationPage"]
    column_name = _("政策文件")

    class Meta:
        verbose_name = _("政策文件栏目")

    def policies(self):
        return (
            public(PolicyPage.objects.child_of(self).live())
            .select_related("issuer")
            .order_by("-date_published", "-pk")
        )

    def get_context(self, request, *args, **kwargs):

        context = super().get_context(request, *args, **kwargs)
        # The list shows each policy's facts, not its structure (a large JSON parsed on load).
        policies = self.policies().defer_streamfields()
        filters: dict[str, str] = {}
        issuer = request.GET.get("issuer", "").strip()
        if issuer:
            policies = policies.filter(issuer__slug=issuer)
            filters["issuer"] = issuer
        year = request.GET.get("year", "").strip()
        if year.isdigit() and len(year) == 4:
            policies = policies.filter(date_published__year=int(year))
            filters["year"] = year
        validity = request.GET.get("validity", "").strip()
        if validity in PolicyPage.Validity.values:
            policies = policies.filter(validity=validity)
            filters["validity"] = validity
        department = request.GET.get("department", "").strip()
        if department:
            policies = policies.filter(responsibilities__department__slug=department).distinct()
            filters["department"] = department
        context["policies"] = library_page(request, f"policy-index:{self.pk}", policies, filters)
        context.update(
            page_cache.kept(page_cache.CMS, f"policy-index-menus:{self.pk}", self._menus, request)
        )
        context["validities"] = PolicyPage.Validity.choices
        # Every filter named, "" when not applied: the menus compare each option with it, and a
        # missing key costs the template a failed lookup and a dir() for every option.
        context["filters"] = dict.fromkeys(("issuer", "year", "validity", "department"), "")
        context["filters"].update(filters)
        context["query_prefix"] = urlencode(filters)
        return context

    def _menus(self) -> dict:
        """The filter menus (issuers, departments and years of the live policies) and the
        latest interpretations."""
        from .departments import Department

        live = public(PolicyPage.objects.child_of(self).live())
        return {
            "issuers": list(
                Department.objects.filter(pk__in=live.values("issuer_id")).order_by(
                    "sort_order", "name"
                )
            ),
            "departments": list(
                Department.objects.filter(
                    pk__in=MeasureResponsibility.objects.filter(policy__in=live).values(
                        "department_id"
                    )
                ).order_by("sort_order", "name")
            ),
            "years": [d.year for d in live.dates("date_published", "year", "DESC")],
            "interpretations": list(
                public(PolicyInterpretationPage.objects.child_of(self).live())
                .filter(policy__live=True)
                .select_related("policy")
                .defer_streamfields()
                .defer("policy__structure")
                .order_by("-date", "-pk")[:10]
            ),
        }

    def get_sitemap_urls(self, request=None):
        """The policy library and the public page of every responsible department."""
        from .departments import Department

        urls = super().get_sitemap_urls(request)
        parts = self.get_url_parts(request)
        root = public_root_url(parts[1] if parts else None)
        for department in Department.objects.filter(responsibilities__policy__live=True).distinct():
            urls.append({"location": root + department.get_absolute_url()})
        return urls


class PolicyPage(SeoMixin, Page):
    """A policy document with the metadata of a government policy library and its structure."""

    class Validity(models.TextChoices):
        IN_FORCE = "in_force", _("现行有效")
        REVISED = "revised", _("已修订")
        REPEALED = "repealed", _("已废止")

    class Disclosure(models.TextChoices):
        PROACTIVE = "proactive", _("主动公开")
        ON_REQUEST = "on_request", _("依申请公开")
        NOT_PUBLIC = "not_public", _("不予公开")

    index_number = models.CharField(_("索引号"), max_length=40, blank=True)
    theme = models.CharField(
        _("主题分类"), max_length=100, blank=True, help_text=_("如“科技、教育/科技”。")
    )
    issuer = models.ForeignKey(
        "cms.Department",
        verbose_name=_("发文机关"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_policies",
    )
    document_number = models.CharField(
        _("文号"), max_length=60, blank=True, help_text=_("如“云政办发〔2017〕80号”。")
    )
    keywords = models.CharField(_("主题词"), max_length=200, blank=True)
    date_written = models.DateField(_("成文日期"), null=True, blank=True)
    date_published = models.DateField(_("发布日期"), null=True, blank=True)
    date_effective = models.DateField(_("施行日期"), null=True, blank=True)
    date_repealed = models.DateField(_("废止日期"), null=True, blank=True)
    validity = models.CharField(
        _("有效性"), max_length=20, choices=Validity.choices, default=Validity.IN_FORCE
    )
    successor = models.ForeignKey(
        "self",
        verbose_name=_("修订或替代文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        help_text=_("已修订或已废止时，指向取代它的文件。"),
    )
    disclosure = models.CharField(
        _("公开方式"), max_length=20, choices=Disclosure.choices, default=Disclosure.PROACTIVE
    )
    summary = models.TextField(_("内容概述"), blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    addressee = models.CharField(_("主送"), max_length=300, blank=True)
    notice_text = models.TextField(_("印发通知正文"), blank=True)
    plan_title = models.CharField(_("正文标题"), max_length=255, blank=True)
    preamble = models.TextField(_("前言"), blank=True)
    structure = StreamField(PolicyStructureBlock(), verbose_name=_("正文结构"), blank=True)
    closing = models.TextField(_("结束语"), blank=True)
    import_report = models.TextField(
        _("导入报告"), blank=True, editable=False, help_text=_("导入时未能识别的内容。")
    )
    source_digest = models.CharField(
        _("原文摘要值"), max_length=64, blank=True, editable=False, db_index=True
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("index_number"), FieldPanel("theme")]),
                FieldRowPanel([FieldPanel("issuer"), FieldPanel("document_number")]),
                FieldPanel("keywords"),
                FieldRowPanel([FieldPanel("date_written"), FieldPanel("date_published")]),
                FieldRowPanel([FieldPanel("date_effective"), FieldPanel("date_repealed")]),
                FieldRowPanel([FieldPanel("validity"), FieldPanel("successor")]),
                FieldRowPanel([FieldPanel("disclosure"), FieldPanel("source")]),
            ],
            heading=_("文件信息"),
        ),
        FieldPanel("summary"),
        MultiFieldPanel(
            [FieldPanel("addressee"), FieldPanel("notice_text")], heading=_("印发通知")
        ),
        FieldPanel("plan_title"),
        FieldPanel("preamble"),
        FieldPanel("structure"),
        FieldPanel("closing"),
        InlinePanel("attachments", label=_("附件")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("document_number"),
        index.SearchField("keywords"),
        index.SearchField("summary"),
        index.SearchField("structure"),
        index.FilterField("validity"),
    ]
    parent_page_types = ["cms.PolicyIndexPage"]
    subpage_types: list[str] = []
    column_name = _("政策文件")
    og_type = "article"

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")

    def clean(self):
        super().clean()
        errors = {}
        if self.index_number:
            spec = (
                self.issuer.index_number_spec()
                if self.issuer_id
                else settings.CMS_INDEX_NUMBER_FORMATS[settings.CMS_DEFAULT_INDEX_NUMBER_FORMAT]
            )
            try:
                validate_index_number(self.index_number, spec)
            except ValidationError as error:
                errors["index_number"] = error
            else:
                self.index_number = format_index_number(self.index_number, spec)
        if self.validity == self.Validity.REPEALED and not self.date_repealed:
            errors["date_repealed"] = _("已废止的文件须填写废止日期。")
        if self.successor_id and self.successor_id == self.pk:
            errors["successor"] = _("文件不能修订或替代它自己。")
        if self.date_effective and self.date_repealed and self.date_repealed < self.date_effective:
            errors["date_repealed"] = _("废止日期不能早于施行日期。")
        if errors:
            raise ValidationError(errors)

    def get_meta_description(self) -> str:
        return self.search_description or self.summary or self.plan_title

    def get_pub_date(self):
        return self.date_published

    @property
    def is_superseded(self) -> bool:
        return self.validity != self.Validity.IN_FORCE

    def sections(self) -> list:
        return [block for block in self.structure if block.block_type == "section"]

    def iter_measures(self):
        """(section, subsection or None, measure ListChild) for every measure, in order."""
        for block in self.structure:
            if block.block_type != "section":
                continue
            for child in block.value["measures"].bound_blocks:
                yield block.value, None, child
            for sub in block.value["subsections"]:
                for child in sub["measures"].bound_blocks:
                    yield block.value, sub, child

    def measure_count(self) -> int:
        return sum(1 for _ in self.iter_measures())

    @transaction.atomic
    def rebuild_responsibilities(self) -> None:
        """Refresh the department index of this page from its structure (on every full save)."""
        MeasureResponsibility.objects.filter(policy=self).delete()
        rows = []
        for position, (section, sub, child) in enumerate(self.iter_measures()):
            measure, anchor = child.value, measure_anchor(child.id)
            for role, key in (
                (MeasureResponsibility.Role.LEAD, "lead_departments"),
                (MeasureResponsibility.Role.CO, "co_departments"),
            ):
                for department in measure[key]:
                    if department is None:
                        continue
                    rows.append(
                        MeasureResponsibility(
                            policy=self,
                            department=department,
                            role=role,
                            position=position,
                            anchor=anchor,
                            section_label=f"{section['label']}{section['heading']}",
                            subsection_label=f"{sub['label']}{sub['heading']}" if sub else "",
                            measure_title=measure["title"][:200],
                            measure_text=measure["text"],
                        )
                    )
        MeasureResponsibility.objects.bulk_create(rows)

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "structure" in update_fields:
            self.rebuild_responsibilities()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["interpretations"] = page_cache.kept(
            page_cache.CMS,
            f"policy-interpretations:{self.pk}",
            lambda: list(
                public(PolicyInterpretationPage.objects.live())
                .filter(policy=self)
                .order_by("-date")
            ),
            request,
        )
        context["attachments_list"] = list(self.attachments.select_related("document"))
        return context


def measure_anchor(block_id: str | None) -> str:
    """The HTML id of a measure on its policy page, stable across edits of other measures."""
    return f"m-{(block_id or '')[:8]}"


class PolicyAttachment(Orderable):
    """An attachment (附件) of a policy document: the official PDF/OFD, forms, tables."""

    page = ParentalKey(PolicyPage, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("文档"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("附件名称"), max_length=200, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self) -> str:
        return self.title or self.document.title


class MeasureResponsibility(models.Model):
    """Derived index: department × measure of a policy, rebuilt whenever the policy is saved.

    The policy's StreamField is the source of truth (editors work there, revisions keep it);
    this table lets a department page list every measure it is responsible for in one query.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头")
        CO = "co", _("配合")

    policy = models.ForeignKey(
        PolicyPage, on_delete=models.CASCADE, related_name="responsibilities"
    )
    department = models.ForeignKey(
        "cms.Department", on_delete=models.CASCADE, related_name="responsibilities"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    position = models.PositiveIntegerField()
    anchor = models.CharField(max_length=20)
    section_label = models.CharField(max_length=255, blank=True)
    subsection_label = models.CharField(max_length=255, blank=True)
    measure_title = models.CharField(max_length=200, blank=True)
    measure_text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("措施责任")
        verbose_name_plural = _("措施责任")
        ordering = ["policy", "position", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "position", "department"], name="cms_one_role_per_measure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.policy} · {self.anchor}"


class PolicyInterpretationPage(SeoMixin, Page):
    """政策解读: an explanation of one policy, published together with it."""

    policy = models.ForeignKey(
        PolicyPage,
        verbose_name=_("所解读的政策"),
        on_delete=models.PROTECT,
        related_name="interpretations",
    )
    date = models.DateField(_("发布日期"), null=True, blank=True)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    summary = models.TextField(_("摘要"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("policy"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("source")]),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.PolicyIndexPage"]
    subpage_types: list[str] = []
    column_name = _("政策解读")
    og_type = "article"

    class Meta:
        verbose_name = _("政策解读")
        verbose_name_plural = _("政策解读")

    def get_pub_date(self):
        return self.date

    def serve(self, request, *args, **kwargs):
        # An interpretation goes public with its policy, never before it.
        from django.http import Http404

        if not self.policy.live:
            raise Http404
        return super().serve(request, *args, **kwargs)
