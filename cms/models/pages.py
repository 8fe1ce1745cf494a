"""Page types of the 双创专区: the front page, news (双创动态) and notices (通知公告)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms import locales, page_cache
from cms.blocks import BodyBlock

from .base import (
    LocaleFallbackMixin,
    SeoMixin,
    library_page,
    localized_list,
    public,
)
from .policy import PolicyIndexPage, PolicyPage

# which page (type, id) a path below a home page routes to, until a page is saved or published
_ROUTES = page_cache.KeptHints(page_cache.CMS)


class HomePage(LocaleFallbackMixin, SeoMixin, Page):
    """双创专区 front page: latest news and policies, catalogue entry points, headline figures."""

    intro = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = [
        "cms.NewsIndexPage",
        "cms.NoticeIndexPage",
        "cms.PolicyIndexPage",
        "cms.LegalPage",
    ]
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("双创专区首页")

    def route(self, request, path_components):
        """Find a page below the home page by its path in one query, not two per level.

        Wagtail walks the tree one child at a time (a base row and a specific row per level:
        five queries for a news article). No page type here changes how its children are
        found, so the page whose url_path is this path is the one that walk ends on; when there
        is none (a translation missing from this language's tree), the ordinary walk runs and
        falls back to the Chinese page (LocaleFallbackMixin).
        """
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            found = self._page_at(url_path, request)
            if found is not None:
                return found.route(request, [])
        return super().route(request, path_components)

    def _page_at(self, url_path: str, request) -> Page | None:
        """The specific page at `url_path` below this one, or None.

        Which page that is (its type and id) is kept until a page is published or saved
        (cms.page_cache.KeptHints), so a known path costs one query, the specific row, instead of
        two; the row read is checked against the path, so a page moved or deleted since is
        looked up afresh, never served from a stale hint.
        """
        from django.contrib.contenttypes.models import ContentType

        def locate() -> tuple[int, int] | None:
            found = Page.objects.filter(url_path=url_path, path__startswith=self.path)
            return found.values_list("content_type_id", "pk").first()

        where = _ROUTES.get((url_path, self.path), locate, request)
        if where is not None:
            model = ContentType.objects.get_for_id(where[0]).model_class()
            found = model.objects.filter(pk=where[1]).first() if model else None
            if found is not None and found.url_path == url_path:
                return found
        found = Page.objects.filter(url_path=url_path, path__startswith=self.path).first()
        return found.specific if found is not None else None

    def columns(self) -> dict[str, Page]:
        """The live column pages under this home page, by kind: news, notices, policies."""
        from django.contrib.contenttypes.models import ContentType

        kinds = {
            ContentType.objects.get_for_model(model).pk: kind
            for kind, model in (
                ("news", NewsIndexPage),
                ("notices", NoticeIndexPage),
                ("policies", PolicyIndexPage),
            )
        }
        found: dict[str, Page] = {}
        for child in public(self.get_children().live()).order_by("path"):
            kind = kinds.get(child.content_type_id)
            if kind and kind not in found:
                found[kind] = child
        return found

    def get_context(self, request, *args, **kwargs):
        from cms.overview import site_overview

        context = super().get_context(request, *args, **kwargs)
        context.update(
            page_cache.kept(
                page_cache.CMS,
                f"home:{self.pk}:{get_language()}",
                self._latest_and_columns,
                request,
            )
        )
        context["overview"] = site_overview()
        return context

    def _latest_and_columns(self) -> dict:
        default_locale = locales.default_locale()
        # The lists show titles and dates: their bodies (JSON, parsed on load) are left unread.
        news = public(NewsPage.objects.live()).defer_streamfields().filter(locale=default_locale)
        policies = (
            public(PolicyPage.objects.live())
            .defer_streamfields()
            .filter(locale=default_locale)
            .select_related("issuer")
            .order_by("-date_published", "-pk")
        )
        notices = (
            public(NoticePage.objects.live()).defer_streamfields().filter(locale=default_locale)
        )
        return {
            "latest_news": localized_list(list(news.order_by("-date", "-pk")[:6])),
            "latest_policies": localized_list(list(policies[:6])),
            "latest_notices": localized_list(list(notices.order_by("-date", "-pk")[:5])),
            "columns": self.columns(),
        }


class NewsIndexPage(LocaleFallbackMixin, SeoMixin, Page):
    """双创动态: the list of news articles, newest first, filtered by category, tag and year."""

    intro = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    column_name = _("双创动态")

    class Meta:
        verbose_name = _("新闻栏目")

    def articles(self):
        return (
            public(NewsPage.objects.child_of(self).live())
            .select_related("lead_image")
            .prefetch_related("categories", "tags")
            .order_by("-date", "-pk")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = self.articles().defer_streamfields()
        filters = {}
        category = request.GET.get("category", "").strip()
        if category:
            articles = articles.filter(categories__slug=category)
            filters["category"] = category
        tag = request.GET.get("tag", "").strip()
        if tag:
            articles = articles.filter(tags__name=tag)
            filters["tag"] = tag
        year = request.GET.get("year", "").strip()
        if year.isdigit() and len(year) == 4:
            articles = articles.filter(date__year=int(year))
            filters["year"] = year
        context["articles"] = library_page(
            request, f"news-index:{self.pk}", articles.distinct(), filters
        )
        context["categories"], context["years"] = page_cache.kept(
            page_cache.CMS, f"news-index-menus:{self.pk}", self._menus, request
        )
        # Every filter named, "" when not applied (as the policy library's).
        context["filters"] = dict.fromkeys(("category", "tag", "year"), "")
        context["filters"].update(filters)
        context["query_prefix"] = urlencode(filters)
        return context

    def _menus(self) -> tuple[list, list[int]]:
        """The filter menus: the categories, the years that have articles."""
        from .departments import NewsCategory

        years = public(NewsPage.objects.child_of(self).live()).dates("date", "year", "DESC")
        return list(NewsCategory.objects.all()), [d.year for d in years]


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("cms.NewsPage", on_delete=models.CASCADE, related_name="tagged")


class NewsPage(SeoMixin, Page):
    """A news article (双创动态)."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    summary = models.TextField(_("摘要"), max_length=500, blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("题图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    categories = ParentalManyToManyField(
        "cms.NewsCategory", verbose_name=_("分类"), blank=True, related_name="news"
    )
    tags = ClusterTaggableManager(through=NewsPageTag, verbose_name=_("标签"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("date"),
                FieldPanel("source"),
                FieldPanel("categories"),
                FieldPanel("tags"),
            ],
            heading=_("发布信息"),
        ),
        FieldPanel("lead_image"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []
    column_name = _("双创动态")
    og_type = "article"

    class Meta:
        verbose_name = _("新闻")

    def get_pub_date(self):
        return self.date


class NoticeIndexPage(LocaleFallbackMixin, SeoMixin, Page):
    """通知公告: notices, newest first."""

    intro = models.TextField(_("导语"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NoticePage"]
    column_name = _("通知公告")

    class Meta:
        verbose_name = _("通知公告栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = (
            public(NoticePage.objects.child_of(self).live())
            .defer_streamfields()
            .order_by("-date", "-pk")
        )
        # The unfiltered pages kept until a page is published, as the news library's.
        context["notices"] = library_page(request, f"notice-index:{self.pk}", notices, {})
        return context


class NoticePage(SeoMixin, Page):
    """A notice (通知公告): application calls, lists of results, deadlines."""

    date = models.DateField(_("发布日期"), default=timezone.localdate)
    source = models.CharField(_("来源"), max_length=200, blank=True)
    deadline = models.DateField(_("截止日期"), null=True, blank=True)
    summary = models.TextField(_("摘要"), max_length=500, blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("source"),
        FieldPanel("deadline"),
        FieldPanel("summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types: list[str] = []
    column_name = _("通知公告")
    og_type = "article"

    class Meta:
        verbose_name = _("通知公告")

    def get_pub_date(self):
        return self.date


class LegalPage(SeoMixin, Page):
    """用户协议 / 隐私政策: a document people consent to when they register (PIPL). Both
    languages are kept on the one page and the reader's is shown; `version` is what a consent
    records (marketplace.accounts.models.TERMS_VERSION / PRIVACY_VERSION name the current)."""

    version = models.CharField(_("版本"), max_length=20)
    effective_date = models.DateField(_("生效日期"), default=timezone.localdate)
    body = RichTextField(_("正文"))
    title_en = models.CharField(_("英文标题"), max_length=255, blank=True)
    body_en = RichTextField(_("英文正文"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("version"),
        FieldPanel("effective_date"),
        FieldPanel("body"),
        FieldPanel("title_en"),
        FieldPanel("body_en"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("协议与政策")

    @property
    def in_english(self) -> bool:
        return bool((get_language() or "").startswith("en") and self.body_en)

    @property
    def reader_title(self) -> str:
        return self.title_en if self.in_english and self.title_en else self.title

    @property
    def reader_body(self) -> str:
        return self.body_en if self.in_english else self.body
