"""RSS 2.0 and Atom feeds of news (双创动态) and policy documents (政策文件)."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from .models import NewsIndexPage, NewsPage, PolicyIndexPage, PolicyPage
from .public_urls import public_root_url

FEED_ITEMS = 30


def _aware(date: datetime.date | None, fallback: datetime.datetime | None) -> datetime.datetime:
    if date is None:
        return fallback or timezone.now()
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time(9, 0)))


class _PageFeed(Feed):
    """Every link is absolute on the public host (the site's, or SITE_URL while it is local)."""

    feed_type = Rss201rev2Feed
    index_model = None
    language = "zh-cn"

    def __call__(self, request, *args, **kwargs):
        self.request = request
        index = self.index_model.objects.live().order_by("path").first()
        self.index_url = index.get_full_url(request) if index else None
        parts = index.get_url_parts(request) if index else None
        self.root_url = public_root_url(parts[1] if parts else None)
        return super().__call__(request, *args, **kwargs)

    def link(self):
        return self.index_url or self.root_url + "/"

    def feed_url(self):
        return self.root_url + self.request.path

    def item_link(self, item):
        return item.get_full_url(self.request)

    def item_guid(self, item):
        """A tag: URI (RFC 4151): stable when the page moves, the site is renamed or the port
        changes, and never the address of a laptop."""
        host = urlsplit(self.root_url).hostname or "localhost"
        since = item.first_published_at or timezone.now()
        return f"tag:{host},{timezone.localdate(since).isoformat()}:page-{item.pk}"

    item_guid_is_permalink = False

    def item_title(self, item):
        return item.title


class NewsFeed(_PageFeed):
    title = _("双创动态")
    description = _("云南省双创资源共享平台发布的双创工作动态。")
    index_model = NewsIndexPage

    def items(self):
        return (
            NewsPage.objects.live()
            .public()
            .prefetch_related("categories")
            .order_by("-date", "-pk")[:FEED_ITEMS]
        )

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return _aware(item.date, item.first_published_at)

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [category.name for category in item.categories.all()]


class PolicyFeed(_PageFeed):
    title = _("政策文件")
    description = _("支持大众创业万众创新的政策文件。")
    index_model = PolicyIndexPage

    def items(self):
        return (
            PolicyPage.objects.live()
            .public()
            .select_related("issuer")
            .order_by("-date_published", "-pk")[:FEED_ITEMS]
        )

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return _aware(item.date_published, item.first_published_at)

    def item_updateddate(self, item):
        return item.last_published_at

    def item_author_name(self, item):
        return item.issuer.full_name or item.issuer.name if item.issuer else None

    def item_categories(self, item):
        return [str(item.get_validity_display())]


class NewsAtomFeed(NewsFeed):
    feed_type = Atom1Feed
    subtitle = NewsFeed.description


class PolicyAtomFeed(PolicyFeed):
    feed_type = Atom1Feed
    subtitle = PolicyFeed.description
