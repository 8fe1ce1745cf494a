"""The catalogue lists' paging at 100,000 listings: deep pages without dragging every skipped
row through the join, and the total counted once per change of the catalogue, not per request.

`ORDER BY code LIMIT 20 OFFSET 19000` over listings joined to their institution builds the
19,000 skipped rows (joined and decoded) only to throw them away. From DEFERRED_FROM rows on,
the page's ids are read first — ordered, offset and limited on the (live, code) index alone —
and then the 20 rows with everything the list shows, in the same order. Shallow pages keep
the one query they had.

The total (`count`, which the API's page-number contract promises) walked every matching
published row on every request: 38,000 for the unfiltered instrument list. It is kept in the
shared page cache under the version of the `listings` tag (cms.page_cache.TagVersioned),
which every listing or institution change, import and vacancy change bumps after its commit:
a count is reused until the catalogue changes, never after. The version is read before
counting, so a count that raced a change is filed under the old version and never served.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property

from marketplace.api import Pagination

DEFERRED_FROM = 1000
_COUNT_PREFIX = "catalogue:count:"


# Where totals are kept while the catalogue is unchanged (get(key) → (version, value or None),
# set(key, version, value)): registered by cms.signals (its page cache's `listings` tag), which
# the catalogue may not import; None counts on every request.
count_store = None


def listing_count(queryset: QuerySet, key: str | None = None) -> int:
    """`queryset.count()`, reused while the catalogue is unchanged.

    `key` names the set when the caller knows what determines it (the API: the kind and its
    validated filters), which spares compiling the query's SQL only to name it: that was a
    third of a list's ORM work. Without it, the SQL is the name."""
    store = count_store
    if store is None or not settings.CATALOGUE_COUNT_CACHE:
        return queryset.count()
    name = str(queryset.query) if key is None else f"key:{key}"
    key = _COUNT_PREFIX + hashlib.sha256(name.encode()).hexdigest()
    version, total = store.get(key)
    if total is None:
        total = queryset.count()
        store.set(key, version, total)
    return total


def _rows_of(rows: QuerySet, ids: list) -> QuerySet:
    """The rows of `ids` as `rows` reads them (columns, joins, order), looked up by id only.

    The ids were just read from `rows` with its filters; repeating the filters beside
    `id IN (…)` made SQLite walk the filter's index (10,000 entries and more for page 500 of
    a category) instead of fetching 20 rows by id. `live` stays, so a listing unpublished
    between the two reads is left out as before."""
    page = rows.all()
    page.query.where = WhereNode()
    return page.filter(pk__in=ids, live=True)


class DeferredJoinPaginator(Paginator):
    def __init__(self, *args, count_key: str | None = None, **kwargs):
        self.count_key = count_key
        super().__init__(*args, **kwargs)

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return listing_count(rows, self.count_key)
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if bottom >= DEFERRED_FROM and isinstance(rows, QuerySet):
            ids = list(rows.values_list("pk", flat=True)[bottom:top])
            return self._get_page(list(_rows_of(rows, ids)), number, self)
        return self._get_page(rows[bottom:top], number, self)


class CataloguePagination(Pagination):
    django_paginator_class = DeferredJoinPaginator

    def paginate_queryset(self, queryset, request, view=None):
        # The view's `count_key` (ListingViewSet: the kind and the filters that applied) names
        # the set for the count store.
        key = getattr(view, "count_key", None)
        self.django_paginator_class = functools.partial(DeferredJoinPaginator, count_key=key)
        return super().paginate_queryset(queryset, request, view)
