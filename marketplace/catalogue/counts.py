"""Each institution's stored count of published instruments (`Institution.instrument_count`).

`/institutions/` and the institutions API show how many instruments each institution shares;
counting them per view walked 40,000 instrument rows at 100,000 listings. The count is stored
on the institution and recounted — from the rows, never by adding or subtracting one — when
an instrument is saved with its `live` flag or institution possibly changed, when one is
deleted, and once per import for every institution (one statement; bulk writes send no
signals).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import F, Func, OuterRef, Subquery

from marketplace.accounts.models import Institution


def _live_instruments_of_outer_institution() -> Subquery:
    from .models import Instrument

    # COUNT without GROUP BY: one row, 0 when the institution has none.
    return Subquery(
        Instrument.objects.filter(institution_id=OuterRef("pk"), live=True)
        .order_by()
        .values(n=Func(F("pk"), function="COUNT"))
    )


def recount_instruments(institution_ids: Iterable[int] | None = None) -> int:
    """Store the number of published instruments of these institutions (all when None), in
    one UPDATE; returns the number of institutions recounted."""
    institutions = Institution.objects.all()
    if institution_ids is not None:
        ids = {pk for pk in institution_ids if pk is not None}
        if not ids:
            return 0
        institutions = institutions.filter(pk__in=ids)
    return institutions.update(instrument_count=_live_instruments_of_outer_institution())


# Saves that name their fields and touch neither of these cannot change a count.
COUNTED_FIELDS = frozenset({"live", "institution", "institution_id"})


def instrument_saved(sender, instance, created, update_fields=None, raw=False, **kwargs) -> None:
    if raw or (update_fields is not None and not COUNTED_FIELDS & set(update_fields)):
        return
    if created and not instance.live:
        return  # a new draft: no count changes
    recount_instruments(
        {instance.institution_id, getattr(instance, "_loaded_institution_id", None)}
    )
    instance._loaded_institution_id = instance.institution_id


def instrument_deleted(sender, instance, **kwargs) -> None:
    recount_instruments({instance.institution_id})
