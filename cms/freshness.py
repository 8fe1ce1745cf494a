"""Stale-column guard: when the home page and each column last published something new.

The 政府网站 inspection rules fail a site whose home page or a column has published nothing for
two weeks. The admin dashboard lists every column with its last publication and warns about
those older than the configured number of days (网站设置 › 栏目更新提醒, 14 by default).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import HomePage, site_identity


@dataclass(frozen=True)
class ColumnFreshness:
    page: Page
    title: str
    last_published: datetime.datetime | None
    days_since: int | None
    stale: bool


def _home() -> HomePage | None:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None and site.root_page.specific_class is HomePage:
        return site.root_page.specific
    return HomePage.objects.order_by("path").first()


def _newest_content(page: Page, min_depth: int) -> datetime.datetime | None:
    """When the newest live page under `page`, at `min_depth` or deeper, was first published."""
    return (
        Page.objects.descendant_of(page)
        .live()
        .filter(depth__gte=min_depth)
        .aggregate(newest=Max("first_published_at"))["newest"]
    )


def column_freshness(now: datetime.datetime | None = None) -> list[ColumnFreshness]:
    """The home page (anything new on the site) first, then each live column in tree order.

    Only content counts: the home and column pages themselves are not "updates".
    """
    home = _home()
    if home is None:
        return []
    now = now or timezone.now()
    limit = site_identity().stale_after_days

    def status(page: Page, title: str, newest: datetime.datetime | None) -> ColumnFreshness:
        days = (now - newest).days if newest else None
        return ColumnFreshness(page, title, newest, days, days is None or days >= limit)

    columns = list(home.get_children().live().order_by("path"))
    out = [status(home, home.title, _newest_content(home, home.depth + 2))]
    for column in columns:
        out.append(status(column, column.title, _newest_content(column, column.depth + 1)))
    return out
