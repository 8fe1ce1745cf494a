"""Deep pages of the catalogue lists without dragging every skipped row through the join.

`ORDER BY code LIMIT 20 OFFSET 19000` over listings joined to their institution builds the
19,000 skipped rows (joined and decoded) only to throw them away. From DEFERRED_FROM rows on,
the page's ids are read first — ordered, offset and limited on the (live, code) index alone —
and then the 20 rows with everything the list shows, in the same order. Shallow pages keep
the one query they had.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet

from marketplace.api import Pagination

DEFERRED_FROM = 1000


class DeferredJoinPaginator(Paginator):
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
