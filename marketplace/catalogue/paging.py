"""The catalogue lists' paging at 100,000 listings: deep pages without dragging every skipped
row through the join, and the total counted once per change of the catalogue, not per request.

`ORDER BY code LIMIT 20 OFFSET 19000` over listings joined to their institution builds the
19,000 skipped rows (joined and decoded) only to throw them away. From DEFERRED_FROM rows on,
the page's ids are read first — ordered, offset and limited on the (live, code) index alone —
and then the 20 rows with everything the list shows, in the same order. Shallow pages keep
the one query they had; a region's reads its page's ids inside it (DeferredJoinPaginator.page).

The total (`count`, which the API's page-number contract promises) walked every matching
published row on every request: 38,000 for the unfiltered instrument list. It is kept in the
shared page cache under the version of the `listings` tag (cms.page_cache.TagVersioned),
which every listing or institution change, import and vacancy change bumps after its commit:
a count is reused until the catalogue changes, never after. The version is read before
counting, so a count that raced a change is filed under the old version and never served.

A list filtered by region (instruments and technologies: their institution's region) keeps
the ids of the region's institutions beside its total (StoredList), in the same entry: the
filter is written with them as a list, which SQLite plans better than the subquery (see
filters.filter_listings), without a query or a cache read more per request. Every
institution change and import bumps `listings` as well, so a new institution of the region,
or one that moved, is in the list from the next request on.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property

from marketplace.api import Pagination
from marketplace.statements import page_by_ids

DEFERRED_FROM = 1000
# Deep pages are sought from the code of every ANCHOR_STEP-th listing (StoredList.page_ids).
ANCHOR_STEP = 500
_COUNT_PREFIX = "catalogue:count:"
# "lists", not "list": the entry gained the list's size without `q` (StoredList).
_LIST_PREFIX = "catalogue:lists:"
# A searched page is read by walking the list in code order (StoredList.searched_page_ids)
# within WALK_MARGIN times the rows its share of matches says hold the page (it stops at the
# page's last match), and never over WALK_MAX rows nor over the matches the trigram indexes
# would recheck instead.
WALK_MARGIN = 4
WALK_SLACK = 20
WALK_MAX = 4000


# Where totals are kept while the catalogue is unchanged (get(key) → (version, value or None),
# set(key, version, value)): registered by cms.signals (its page cache's `listings` tag), which
# the catalogue may not import; None counts on every request.
count_store = None


def listing_count(queryset: QuerySet) -> int:
    """`queryset.count()`, reused while the catalogue is unchanged, named by its SQL (the
    API names its lists by their filters instead: StoredList)."""
    store = count_store
    if store is None or not settings.CATALOGUE_COUNT_CACHE:
        return queryset.count()
    if queryset.query.is_empty():
        # `.none()` (the list page after a bad filter) has no SQL to name it by.
        return 0
    key = _COUNT_PREFIX + hashlib.sha256(str(queryset.query).encode()).hexdigest()
    version, total = store.get(key)
    if total is None:
        total = queryset.count()
        store.set(key, version, total)
    return total


class StoredList:
    """What the count store keeps of one filtered list while the catalogue is unchanged: its
    total and, for a list filtered by an institution's region, the ids of the region's
    institutions. Read once (one cache read) before the list is filtered; filed after the
    count under the version read first."""

    def __init__(self, key: str) -> None:
        store = count_store
        self.store = store if store is not None and settings.CATALOGUE_COUNT_CACHE else None
        self.key = _LIST_PREFIX + hashlib.sha256(key.encode()).hexdigest()
        self.version = None
        self.total = self.region_ids = self.anchors = self.unsearched_total = None
        # Filtered by its institutions' region: the paginator reads a page's ids first.
        self.region_filtered = False
        # Searched (`q`): the list without `q`, its key here and what `q` matches.
        self.unsearched = self.unsearched_key = self.condition = None
        if self.store is not None:
            self.version, entry = self.store.get(self.key)
            if entry is not None:
                self.total, self.region_ids, self.anchors, self.unsearched_total = entry

    def institutions_in_region(self, region: str) -> list[int] | None:
        """The ids of `region`'s institutions: kept, or read now and kept with the total; None
        without a store (the filter keeps its subquery)."""
        self.region_filtered = True
        if self.store is None:
            return None
        if self.region_ids is None:
            from .filters import region_institution_ids

            self.region_ids = region_institution_ids(region)
        return self.region_ids

    def count(self, queryset: QuerySet) -> int:
        if self.total is None:
            self.total = queryset.count()
            self._file()
        return self.total

    def page_ids(self, queryset: QuerySet, bottom: int, top: int) -> list | QuerySet | None:
        """The ids of rows bottom..top of `queryset` (ordered by code alone), sought from the
        code of every ANCHOR_STEP-th row instead of counted off from the first: page 500 of
        a region's category walked 26,000 index entries to skip 10,000 matches, now fewer
        than ANCHOR_STEP. The codes are read once (one ordered pass over the list's index)
        and kept with the total; None without a store. On PostgreSQL the ids are a sliced
        query, read inside the page's statement (`_page_ids`)."""
        if self.store is None or tuple(queryset.query.order_by) != ("code",):
            return None
        if self.anchors is None:
            codes = queryset.values_list("code", flat=True)
            self.anchors = list(codes)[::ANCHOR_STEP]
            self._file()
        step = bottom // ANCHOR_STEP
        if step >= len(self.anchors):
            return None
        skip = bottom - step * ANCHOR_STEP
        after = queryset.filter(code__gte=self.anchors[step]).values_list("pk", flat=True)
        return _page_ids(after[skip : skip + top - bottom])

    def searched(self, unsearched: QuerySet, unsearched_key: str, condition: Q) -> None:
        """This list is `unsearched` (named `unsearched_key` in the store) filtered by
        `q`, whose matches a walked row tests by `condition` (filters.search_hit_condition)."""
        self.unsearched, self.unsearched_key, self.condition = unsearched, unsearched_key, condition

    def searched_page_ids(self, queryset: QuerySet, bottom: int, top: int) -> RawSQL | None:
        """The ids of rows bottom..top of a searched list whose matches are common, read by
        walking the list without `q` in code order and testing the condition on each row:
        the statement that reads them, run inside the page's (DeferredJoinPaginator.page:
        if the walk finds fewer than the page holds, the page is read as before). None when
        the term is rare. Decided from the kept total, which the paginator counts before
        the page.

        PostgreSQL reads `q` through the trigram indexes (migration catalogue.0010): right for
        a rare term, but the planner expects about 15 matches of any term (it has no statistics
        of the UPPER() expressions), so for 显微镜 it rechecked all 6,117 matches and sorted
        them for a page whose 20 are among the first 126 instruments in code order (33 ms in
        EXPLAIN ANALYZE; walked: 1.2 ms). SQLite has no such index and walks the code order already."""
        if (
            self.store is None
            or self.unsearched is None
            or not self.total
            or connections[queryset.db].vendor != "postgresql"
            or tuple(self.unsearched.query.order_by) != ("code",)
        ):
            return None
        if self.unsearched_total is None:
            # Kept in its own entry as well (with the same region ids), for the list itself.
            unsearched = StoredList(self.unsearched_key)
            if unsearched.region_ids is None:
                unsearched.region_ids = self.region_ids
            self.unsearched_total = unsearched.count(self.unsearched)
            self._file()
        window = math.ceil(top * self.unsearched_total / self.total * WALK_MARGIN) + WALK_SLACK
        if window > min(self.total, WALK_MAX):
            return None
        hit = ExpressionWrapper(self.condition, output_field=BooleanField())
        walk = self.unsearched.values(walked_id=F("pk"), walked_code=F("code"), search_hit=hit)[
            :window
        ]
        sql, params = walk.query.sql_with_params()
        # The window's rows are tested as they are read, in code order, and the walk stops
        # at the page's last match: the outer LIMIT pulls no further row through the inner
        # LIMIT's index scan. The outer ORDER BY is the inner one (code is unique), so SQL
        # guarantees the order; PostgreSQL knows the subquery's rows come sorted and adds no
        # sort (EXPLAIN ANALYZE for 显微镜 page 3: the same 226 rows walked, no Sort node).
        # `sql` is the ORM's, its values in `params`.
        walked = (
            f"SELECT walked_id FROM ({sql}) AS walked WHERE search_hit"  # noqa: S608
            " ORDER BY walked_code LIMIT %s OFFSET %s"
        )
        return RawSQL(walked, (*params, top - bottom, bottom))  # noqa: S611 (as above)

    def _file(self) -> None:
        if self.store is not None and self.total is not None:
            self.store.set(
                self.key,
                self.version,
                (self.total, self.region_ids, self.anchors, self.unsearched_total),
            )


def list_key(kind: str, applied: dict[str, str]) -> str:
    """A list's name in the count store: its kind and the filters that applied (the rest of
    its query is fixed by the caller)."""
    return json.dumps([kind, sorted(applied.items())], ensure_ascii=False)


def stored_filtered_list(
    kind: str, queryset: QuerySet, applied: dict[str, str]
) -> tuple[QuerySet, StoredList]:
    """`queryset` filtered by `applied` (filters.filter_listings), with the StoredList that
    keeps its total: the API's list and the list page share it."""
    from .filters import REGION_BY_INSTITUTION, filter_listings, search_hit_condition

    stored = StoredList(list_key(kind, applied))
    region_ids = None
    if "region" in applied and kind in REGION_BY_INSTITUTION:
        region_ids = stored.institutions_in_region(applied["region"])
    filtered = filter_listings(kind, queryset, applied, region_ids)
    if "q" in applied:
        unsearched = {name: value for name, value in applied.items() if name != "q"}
        stored.searched(
            filter_listings(kind, queryset, unsearched, region_ids),
            list_key(kind, unsearched),
            search_hit_condition(kind, applied["q"]),
        )
    return filtered, stored


def _page_ids(ids: QuerySet) -> list | QuerySet:
    """A deep page's ids (a sliced `values_list("pk")`) as `_rows_of` takes them: on
    PostgreSQL the query itself, so the ids are read inside the statement that reads the
    page's rows (`WHERE id IN (SELECT id … LIMIT 20 OFFSET n)`: one round trip and one
    statement to build, not two); elsewhere read first, as a list. SQLite runs in the
    process, with no round trip to save, and was measured with the ids as a list."""
    if connections[ids.db].vendor == "postgresql":
        return ids
    return list(ids)


def _rows_of(rows: QuerySet, ids: list | QuerySet | RawSQL) -> QuerySet:
    """The rows of `ids` as `rows` reads them (columns, joins, order), looked up by id only.

    The ids were just read from `rows` with its filters, or are read in the same statement
    (a sliced `values("pk")` of `rows`: a shallow page); repeating the filters beside
    `id IN (…)` made SQLite walk the filter's index (10,000 entries and more for page 500 of
    a category) instead of fetching 20 rows by id. `live` stays, so a listing unpublished
    between the two reads is left out as before."""
    page = rows.all()
    page.query.where = WhereNode()
    return page.filter(pk__in=ids, live=True)


def _page_rows(rows: QuerySet, ids: list | QuerySet | RawSQL) -> list:
    """The page's rows: `_rows_of(rows, ids)` read, from the page statement kept for the
    list's columns with the ids' SQL put in it (marketplace.statements.page_by_ids): the
    same statement, without the ORM building and compiling it for each page."""
    if isinstance(ids, list) and not ids:
        return []
    try:
        found = page_by_ids(rows, functools.partial(_ids_sql, ids))
    except EmptyResultSet:
        # The ids' query can match nothing (a region without institutions): no rows, as the
        # ORM answers such a filter.
        return []
    return found if found is not None else list(_rows_of(rows, ids))


def _ids_sql(ids: list | QuerySet | RawSQL) -> tuple[str, tuple]:
    """The SQL and parameters that select `ids` inside `… WHERE id IN (here)`."""
    if isinstance(ids, RawSQL):
        return ids.sql, tuple(ids.params)
    if isinstance(ids, QuerySet):
        sql, params = ids.query.get_compiler(ids.db).as_sql()
        return sql, tuple(params)
    return ", ".join(["%s"] * len(ids)), tuple(ids)


class DeferredJoinPaginator(Paginator):
    def __init__(
        self,
        *args,
        stored: StoredList | None = None,
        **kwargs,
    ):
        self.stored = stored
        super().__init__(*args, **kwargs)

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            if self.stored is not None:
                return self.stored.count(rows)
            return listing_count(rows)
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return self._get_page(rows[bottom:top], number, self)
        if self.stored is not None and self.stored.unsearched is not None:
            walked = self.stored.searched_page_ids(rows, bottom, top)
            if walked is not None:
                # The walk's ids and their rows in one statement. Fewer rows than the page
                # holds: the window ended before the page's last match (the matches cluster
                # later in code order than their share says); read as before.
                found = _page_rows(rows, walked)
                if len(found) == top - bottom:
                    return self._get_page(found, number, self)
        if bottom >= DEFERRED_FROM:
            ids = None if self.stored is None else self.stored.page_ids(rows, bottom, top)
            if ids is None:
                ids = _page_ids(rows.values_list("pk", flat=True)[bottom:top])
            return self._get_page(_page_rows(rows, ids), number, self)
        if self.stored is not None and self.stored.region_filtered:
            # A region's shallow page in one statement, its ids found first inside it:
            # `WHERE id IN (SELECT id … ORDER BY code LIMIT 20)`. Asked for every column at
            # once, PostgreSQL walked the (live, code) index and read each listing's row to
            # test the institution, and found a region's first 20 analytical instruments
            # after 2,500 rows (codes start with the institution's, and the region's come
            # late in code order: 7–17 ms); the ids alone are an index-only walk of the
            # filter's index, the institution tested in it (0.4 ms), then 20 rows by id.
            # Other lists are served in order by an index holding their filters; for them
            # the subquery would only add the lookups and a sort of the 20.
            return self._get_page(_page_rows(rows, rows.values("pk")[bottom:top]), number, self)
        return self._get_page(rows[bottom:top], number, self)


class CataloguePagination(Pagination):
    django_paginator_class = DeferredJoinPaginator

    def paginate_queryset(self, queryset, request, view=None):
        # The view's StoredList (ListingViewSet: named by the kind and the filters that
        # applied) holds the list's total, or files it once counted.
        self.django_paginator_class = functools.partial(
            DeferredJoinPaginator, stored=getattr(view, "stored_list", None)
        )
        return super().paginate_queryset(queryset, request, view)
