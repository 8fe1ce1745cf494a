"""Page types of the 双创专区: the front page, the news index and news articles."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BodyBlock


class HomePage(Page):
    """双创专区 front page: latest news, catalogue entry points, headline figures."""

    intro = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["cms.NewsIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("双创专区首页")

    def get_context(self, request, *args, **kwargs):
        from marketplace.accounts.models import Institution

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = NewsPage.objects.live().public().order_by("-date", "-pk")[:6]
        context["figures"] = {"institutions": Institution.objects.count()}
        return context


class NewsIndexPage(Page):
    """双创动态: the list of news articles, newest first."""

    intro = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("新闻栏目")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        context = super().get_context(request, *args, **kwargs)
        articles = NewsPage.objects.child_of(self).live().public().order_by("-date", "-pk")
        context["articles"] = Paginator(articles, 20).get_page(request.GET.get("page"))
        return context


class NewsPage(Page):
    """A news article (双创动态)."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    summary = models.TextField(_("摘要"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("source"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("新闻")
