"""When the open-sharing figures change, and the caches that follow them exactly.

Every figure the public reads (the summary tables, the ratings) changes in three places: a
usage record applied (a booking or sample order completed, machine time or downtime recorded),
a rating given, the nightly rebuild. Each sends `figures_changed`; its receiver gives new
versions to the anonymous page cache's tags (cms/page_cache.py) that name what moved:

- ``sharing-figures``: every province-wide figure — /statistics/, the home page's 数据概览,
  the statistics API's body, the province median of the dashboard;
- ``sharing-institution:PK``: one institution's indicators (its sums, and its bookings'
  cancellation and no-show rates, which move with any booking of its instruments) and its
  dashboard's ratings (`rating_text_changed`: an answer given, a text reviewed);
- ``instrument:CODE`` / ``institution:CODE``: the catalogue pages with the summary.

A rebuild (no record named) renews ``sharing-figures`` and ``catalogue`` (every catalogue page,
since every summary may have moved). The tags are bumped once the transaction commits, as
every page-cache purge is: a bump before the commit would let another request render the rows
from before the change and file them under the new version.

`cached(name, tags, compute)` keeps a computed value under the versions of `tags`, in the page
cache: one `get_many` reads the value and the versions together, so a fresh value costs one
round trip, and a bump makes it stale everywhere at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import transaction
from django.dispatch import Signal

from cms import page_cache

T = TypeVar("T")

FIGURES = page_cache.FIGURES
# Values kept under versions live long: a bump, never the clock, makes them stale.
CACHED_SECONDS = 24 * 3600
_VALUE_PREFIX = "sharing:cached:"

# Sent after the summary tables changed. `record`: the usage record whose sums moved (its
# instrument and institution are named), or None when every sum may have moved (a rebuild).
figures_changed = Signal()


def institution_tag(institution_id: int) -> str:
    return f"sharing-institution:{institution_id}"


def _record_tags(record) -> list[str]:
    from marketplace.catalogue.models import Instrument

    from .models import UsageRecord

    instrument_field = UsageRecord._meta.get_field("instrument")
    if instrument_field.is_cached(record) and Instrument._meta.get_field("institution").is_cached(
        record.instrument
    ):
        codes = (record.instrument.code, record.instrument.institution.code)
    else:
        codes = (
            Instrument.objects.filter(pk=record.instrument_id)
            .values_list("code", "institution__code")
            .first()
        ) or (None, None)
    tags = [FIGURES, institution_tag(record.institution_id)]
    if codes[0]:
        tags.append(page_cache.object_tag("instrument", codes[0]))
    if codes[1]:
        tags.append(page_cache.object_tag("institution", codes[1]))
    return tags


def on_figures_changed(sender, record=None, **kwargs) -> None:
    """Receiver of `figures_changed`: the tags of what moved, and the home page's figures."""
    from cms.overview import forget_overview

    if record is None:
        page_cache.purge(FIGURES, page_cache.CATALOGUE)
    else:
        page_cache.purge(*_record_tags(record))
    forget_overview()


def rating_text_changed(record) -> None:
    """A rating's comment or answer given, made public or hidden: the pages showing the
    summary and the institution's dashboard."""
    page_cache.purge(*(tag for tag in _record_tags(record) if tag != FIGURES))


def on_booking_changed(sender, instance, **kwargs) -> None:
    """A booking saved: its institution's cancellation and no-show rates may have moved."""
    from marketplace.catalogue.models import Instrument

    instrument_id = instance.instrument_id

    def after_commit() -> None:
        institution_id = (
            Instrument.objects.filter(pk=instrument_id)
            .values_list("institution_id", flat=True)
            .first()
        )
        if institution_id is not None:
            page_cache.bump_now(institution_tag(institution_id))

    transaction.on_commit(after_commit)


def cached(name: str, tags: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()`, or its value kept while every tag in `tags` keeps its version. `name`
    says what the value is and everything it depends on besides the tags (year, language…)."""
    cache = page_cache.page_cache()
    key = _VALUE_PREFIX + name
    tag_keys = [page_cache.tag_key(tag) for tag in tags]
    found = cache.get_many([key, *tag_keys])
    versions = tuple(found.get(tag_key) for tag_key in tag_keys)
    entry = found.get(key)
    if entry is not None and None not in versions and entry[0] == versions:
        return entry[1]
    if None in versions:
        # Tags never bumped (or evicted) get a first version before the value is computed.
        for tag_key, version in zip(tag_keys, versions, strict=True):
            if version is None:
                cache.add(tag_key, page_cache.new_version(), timeout=None)
        current = cache.get_many(tag_keys)
        versions = tuple(current.get(tag_key) for tag_key in tag_keys)
    value = compute()
    cache.set(key, (versions, value), CACHED_SECONDS)
    return value
