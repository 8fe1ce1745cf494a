"""What every 双创专区 page shares: paging size, locale fallback, SEO fields, translated lists."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, PageViewRestriction

from cms import locales, page_cache
from cms.public_urls import public_root_url

NEWS_PER_PAGE = 20


class LocaleFallbackMixin:
    """Route into the Chinese original where a page has no translation in the active locale.

    Pages are served at the same URL in every language (the language comes from the switch,
    as on the rest of the site). If the English tree lacks a page, the Chinese page is served
    and the template says so instead of answering 404.
    """

    def route(self, request, path_components):
        try:
            return super().route(request, path_components)
        except Http404:
            if not path_components:
                raise
            default = locales.default_locale()
            if self.locale_id == default.pk:
                raise
            source = self.get_translation_or_none(default)
            if source is None:
                raise
            return source.specific.route(request, path_components)


def public(pages):
    """`pages` without those in a private section, as Wagtail's `.public()`, in the same query.

    Wagtail's `.public()` first reads every view restriction (one query per call, several per
    page); here the check is a subquery: no restriction on this page or one of its ancestors
    (a restricted page's path is a prefix of the paths below it).
    """
    restricted = PageViewRestriction.objects.filter(
        page__path=Substr(OuterRef("path"), 1, Length("page__path"))
    )
    return pages.filter(~Exists(restricted))


def keepable_page_number(number: str) -> bool:
    """A list page number worth keeping a page under: none, or a few digits (anything else is
    answered as the first or the last page, and would only fill the cache)."""
    return number == "" or (number.isdigit() and len(number) <= 4)


def list_page(rows, number) -> tuple[list, int, int]:
    """Page `number` of `rows` as `Paginator(rows, NEWS_PER_PAGE).get_page(number)` finds it
    (the first for a number that is not one, the last past the end): (its rows, its number,
    the total) — plain values, to be kept (cms.page_cache.kept) and made a page again by
    `kept_list_page`."""
    page = Paginator(rows, NEWS_PER_PAGE).get_page(number)
    return list(page.object_list), page.number, page.paginator.count


def kept_list_page(kept: tuple[list, int, int]) -> PaginatorPage:
    """The paginator page `list_page` described, without its query: what the templates use of
    it (the rows, the number, the number of pages) is all there."""
    rows, number, count = kept
    paginator = Paginator([], NEWS_PER_PAGE)
    paginator.__dict__["count"] = count  # a cached_property: the total without the rows
    return PaginatorPage(rows, number, paginator)


def library_page(request, name: str, rows, filters: dict) -> PaginatorPage:
    """The page of `rows` that `request` asks for (`?page=`). The unfiltered list, as most
    visitors see it, is kept until a page is published (cms.page_cache.kept, under `name`
    and the number: `name` must say which list it is); a filtered one is read afresh."""
    number = request.GET.get("page", "")
    if filters or not keepable_page_number(number):
        return Paginator(rows, NEWS_PER_PAGE).get_page(number)
    return kept_list_page(
        page_cache.kept(
            page_cache.CMS, f"{name}:{number}", lambda: list_page(rows, number), request
        )
    )


def localized_list(pages: list[Page]) -> list[Page]:
    """Swap each page for its translation in the active language where one is live (1 query)."""
    if not pages or not getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return pages
    try:
        active = locales.active_locale()
    except Locale.DoesNotExist:
        return pages
    if all(page.locale_id == active.pk for page in pages):
        return pages
    model = type(pages[0])
    translations = {
        page.translation_key: page
        for page in public(model.objects.live())
        .defer_streamfields()
        .filter(locale=active, translation_key__in=[p.translation_key for p in pages])
    }
    return [translations.get(page.translation_key, page) for page in pages]


class SeoMixin:
    """What the base template needs for <meta>, Open Graph and the portal's column name."""

    column_name = _("双创专区")
    og_type = "website"
    # The head's og:image asks every page for its lead image; only news articles have the
    # field. (A missing attribute makes the template engine list the page's dir() each time.)
    lead_image = None

    def get_meta_description(self) -> str:
        return self.search_description or getattr(self, "summary", "") or ""

    def get_pub_date(self) -> datetime.date | None:
        return None

    def get_view_restrictions(self):
        """As Wagtail's, in one query instead of two: the restrictions on this page or an
        ancestor (by their paths, which the page already knows), or on the source page of
        any of them that is an alias (aliases cannot have restrictions of their own)."""
        step = self.steplen
        paths = [self.path[:end] for end in range(step, len(self.path) + 1, step)]
        return PageViewRestriction.objects.filter(
            Q(page__path__in=paths) | Q(page__aliases__path__in=paths)
        ).distinct()

    def get_url_parts(self, request=None):
        """Wagtail's URL parts, with a local site root (localhost) replaced by SITE_URL.

        Every absolute link Wagtail builds goes through here: canonical, og:url, feeds, the
        sitemap and the admin's "view live".
        """
        parts = super().get_url_parts(request)
        if not parts or parts[1] is None:
            return parts
        site_id, root_url, page_path = parts
        return site_id, public_root_url(root_url), page_path
