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

import hashlib

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from marketplace.api import Pagination

DEFERRED_FROM = 1000
_COUNT_PREFIX = "catalogue:count:"


# Where totals are kept while the catalogue is unchanged (get(key) → (version, value or None),
# set(key, version, value)): registered by cms.signals (its page cache's `listings` tag), which
# the catalogue may not import; None counts on every request.
count_store = None


def listing_count(queryset: QuerySet) -> int:
    """`queryset.count()`, reused while the catalogue is unchanged."""
    store = count_store
    if store is None or not settings.CATALOGUE_COUNT_CACHE:
        return queryset.count()
    key = _COUNT_PREFIX + hashlib.sha256(str(queryset.query).encode()).hexdigest()
    version, total = store.get(key)
    if total is None:
        total = queryset.count()
        store.set(key, version, total)
    return total


class DeferredJoinPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return listing_count(rows)
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
            return self._get_page(list(rows.filter(pk__in=ids)), number, self)
        return self._get_page(rows[bottom:top], number, self)


class CataloguePagination(Pagination):
    django_paginator_class = DeferredJoinPaginator
