"""数据概览: the home page's headline figures, read from the marketplace in one cached helper.

The figures are computed together (five small aggregate queries), kept in Django's cache and
dropped whenever a row of a model they count is saved or deleted (signals connected in
`cms.signals`). Writes that bypass signals (`QuerySet.update`) are caught up with after
OVERVIEW_CACHE_SECONDS at the latest. To add a figure: compute it in `_compute`, add a field to
`Overview`, and list the model it depends on in `watched_models`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Sum

OVERVIEW_CACHE_KEY = "cms:overview:v1"
OVERVIEW_CACHE_SECONDS = 10 * 60


@dataclass(frozen=True)
class Overview:
    instruments: int = 0
    institutions: int = 0
    incubators: int = 0
    free_workstations: int = 0
    technologies: int = 0
    bookings_completed: int = 0
    hours_served: Decimal = Decimal("0")


def watched_models() -> list[type]:
    """The models whose changes make the cached figures stale."""
    from marketplace.accounts.models import Institution
    from marketplace.catalogue.models import Incubator, Instrument, Technology
    from marketplace.sharing.models import UsageRecord

    return [Institution, Instrument, Incubator, Technology, UsageRecord]


def _compute() -> Overview:
    from marketplace.accounts.models import Institution
    from marketplace.catalogue.models import Incubator, Instrument, Technology
    from marketplace.sharing.models import Scope, Tally

    incubators = Incubator.objects.published().aggregate(
        count=Count("pk"), free=Sum("capacity__workstations_vacant")
    )
    # The same numbers as /statistics/: the province's yearly sums of the open-sharing ledger.
    served = Tally.objects.filter(scope=Scope.PROVINCE, key="", month=0).aggregate(
        count=Sum("services"), minutes=Sum("internal_minutes") + Sum("external_minutes")
    )
    hours = (Decimal(served["minutes"] or 0) / 60).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Overview(
        instruments=Instrument.objects.published().count(),
        institutions=Institution.objects.count(),
        incubators=incubators["count"],
        free_workstations=incubators["free"] or 0,
        technologies=Technology.objects.published().count(),
        bookings_completed=served["count"] or 0,
        hours_served=hours,
    )


def site_overview() -> Overview:
    """The figures, from the cache when they are fresh."""
    cached = cache.get(OVERVIEW_CACHE_KEY)
    if cached is not None:
        return Overview(**cached)
    overview = _compute()
    cache.set(OVERVIEW_CACHE_KEY, asdict(overview), OVERVIEW_CACHE_SECONDS)
    return overview


def forget_overview(**kwargs) -> None:
    """Drop the cached figures now and again when the current transaction commits.

    The second drop matters: a page rendered by another request between the change and its
    commit would otherwise cache the figures from before the change.
    """
    cache.delete(OVERVIEW_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(OVERVIEW_CACHE_KEY))
