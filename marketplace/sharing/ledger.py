"""The ledger: completed services become usage records, and every record and rating moves the
running sums (`Tally`) of its instrument, institution, 州/市, category and the province.

`record_booking` / `record_sample_order` run inside the workflow's completing transaction
(through `marketplace.completions`), so a completion and its record commit together.
`rebuild` recomputes every record's missing row from history and all sums from the records.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, F, Min, Q, Sum

from marketplace.accounts.models import Membership
from marketplace.bookings.models import Booking
from marketplace.bookings.models import Status as BookingStatus
from marketplace.payments.models import paid_total
from marketplace.sampletesting.models import SampleOrder
from marketplace.sampletesting.models import Status as OrderStatus

from .freshness import figures_changed
from .models import COUNTERS, Rating, Scope, Source, Tally, UsageKind, UsageRecord

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0.00")


def local_period(moment: dt.datetime) -> tuple[int, int]:
    """(year, month) of a moment as the province's calendar sees it (Asia/Shanghai)."""
    local = moment.astimezone(SHANGHAI)
    return local.year, local.month


def is_internal(user_id: int | None, institution_id: int) -> bool:
    return (
        user_id is not None
        and Membership.objects.filter(user_id=user_id, institution_id=institution_id).exists()
    )


def _minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() // 60)


# --- Recording completed services ---------------------------------------------------------


def record_booking(booking: Booking, by=None) -> UsageRecord | None:
    """The completed booking's usage: actual minutes, internal or external, net income."""
    if booking.status != BookingStatus.COMPLETED or booking.actual_minutes is None:
        return None
    if UsageRecord.objects.filter(booking=booking).exists():
        return None
    answered = (
        booking.transitions.filter(from_status=BookingStatus.PENDING_APPROVAL)
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    record = _service_record(
        booking,
        Source.BOOKING,
        booking.start,
        answered,
        by,
        booking=booking,
        minutes=booking.actual_minutes,
        started_at=booking.start,
        ended_at=booking.start + dt.timedelta(minutes=booking.actual_minutes),
    )
    apply_record(record)
    return record


def record_sample_order(order: SampleOrder, by=None) -> UsageRecord | None:
    """A completed sample order: one service (no machine minutes of its own), its income."""
    if order.status != OrderStatus.COMPLETED:
        return None
    if UsageRecord.objects.filter(sample_order=order).exists():
        return None
    record = _sample_order_record(order, by)
    apply_record(record)
    return record


def on_service_completed(sender, item, by=None, **kwargs) -> None:
    """Receiver of `marketplace.completions.completed`."""
    if isinstance(item, Booking):
        record_booking(item, by)
    elif isinstance(item, SampleOrder):
        record_sample_order(item, by)


# --- The running sums ---------------------------------------------------------------------


def scopes_of(record: UsageRecord) -> list[tuple[str, str]]:
    return [
        (Scope.PROVINCE, ""),
        (Scope.REGION, record.region),
        (Scope.INSTITUTION, str(record.institution_id)),
        (Scope.INSTRUMENT, str(record.instrument_id)),
        (Scope.CATEGORY, record.category),
    ]


SCOPE_FILTERS = {
    Scope.PROVINCE: lambda record: {},
    Scope.REGION: lambda record: {"region": record.region},
    Scope.INSTITUTION: lambda record: {"institution_id": record.institution_id},
    Scope.INSTRUMENT: lambda record: {"instrument_id": record.instrument_id},
    Scope.CATEGORY: lambda record: {"category": record.category},
}


def deltas_of(record: UsageRecord) -> dict[str, int | Decimal]:
    minutes = record.minutes
    if record.kind == UsageKind.SERVICE:
        return {
            "effective_minutes": minutes,
            "external_minutes": minutes if record.external else 0,
            "internal_minutes": 0 if record.external else minutes,
            "services": 1,
            "external_services": 1 if record.external else 0,
            "income_internal": ZERO if record.external else record.income,
            "income_external": record.income if record.external else ZERO,
        }
    if record.kind == UsageKind.RESEARCH:
        return {"effective_minutes": minutes, "research_minutes": minutes}
    if record.kind == UsageKind.MAINTENANCE:
        return {"maintenance_minutes": minutes}
    return {"downtime_minutes": minutes}


def _rows(keys: list[tuple[str, str]], year: int, months: tuple[int, ...]) -> Q:
    """Make sure the tally rows exist; the filter that selects them."""
    Tally.objects.bulk_create(
        [
            Tally(scope=scope, key=key, year=year, month=month)
            for scope, key in keys
            for month in months
        ],
        ignore_conflicts=True,
    )
    selected = Q(pk__in=[])
    for scope, key in keys:
        selected |= Q(scope=scope, key=key, year=year, month__in=months)
    return selected


def _add(selected: Q, deltas: dict) -> None:
    changes = {field: F(field) + value for field, value in deltas.items() if value}
    if changes:
        Tally.objects.filter(selected).update(**changes)


def apply_record(record: UsageRecord) -> None:
    """Add one new record to the sums of its five scopes, in its month and its year."""
    keys = scopes_of(record)
    _add(_rows(keys, record.year, (0, record.month)), deltas_of(record))
    figures_changed.send(UsageRecord, record=record)
    if record.kind != UsageKind.SERVICE or record.user_id is None:
        return
    # Distinct users: counted in a scope's year when this is their first service there.
    earlier = UsageRecord.objects.services().filter(user_id=record.user_id, year=record.year)
    earlier = earlier.exclude(pk=record.pk)
    first = [key for key in keys if not earlier.filter(**SCOPE_FILTERS[key[0]](record)).exists()]
    if first:
        _add(_rows(first, record.year, (0,)), {"users_served": 1})
    if record.external:
        earlier = earlier.filter(external=True)
        first = [
            key for key in keys if not earlier.filter(**SCOPE_FILTERS[key[0]](record)).exists()
        ]
        if first:
            _add(_rows(first, record.year, (0,)), {"external_users_served": 1})


def apply_rating(rating: Rating) -> None:
    record = rating.record
    _add(
        _rows(scopes_of(record), record.year, (0, record.month)),
        {"ratings": 1, "rating_points": rating.score_sum},
    )
    figures_changed.send(Rating, record=record)


# --- Rebuilding from history --------------------------------------------------------------

BATCH = 2000


def _record_missing_bookings() -> int:
    memberships = set(Membership.objects.values_list("user_id", "institution_id"))
    created = 0
    missing = Booking.objects.filter(
        status=BookingStatus.COMPLETED, actual_minutes__isnull=False, usage_record__isnull=True
    )
    last = 0
    while True:
        chunk = list(
            missing.filter(pk__gt=last)
            .order_by("pk")
            .select_related("instrument__institution")
            .annotate(
                paid=Sum(
                    "payments__amount",
                    filter=Q(payments__status="succeeded", payments__kind="payment"),
                ),
                refunded=Sum(
                    "payments__amount",
                    filter=Q(payments__status="succeeded", payments__kind="refund"),
                ),
            )[:BATCH]
        )
        if not chunk:
            return created
        last = chunk[-1].pk
        answered = dict(
            Booking.objects.filter(pk__in=[b.pk for b in chunk])
            .annotate(
                answered=Min(
                    "transitions__at",
                    filter=Q(transitions__from_status=BookingStatus.PENDING_APPROVAL),
                )
            )
            .values_list("pk", "answered")
        )
        rows = []
        for booking in chunk:
            instrument = booking.instrument
            year, month = local_period(booking.start)
            income = (booking.paid or ZERO) - (booking.refunded or ZERO)
            rows.append(
                UsageRecord(
                    instrument=instrument,
                    institution_id=instrument.institution_id,
                    region=instrument.institution.region,
                    category=instrument.category,
                    kind=UsageKind.SERVICE,
                    source=Source.BOOKING,
                    booking=booking,
                    user_id=booking.user_id,
                    external=(booking.user_id, instrument.institution_id) not in memberships,
                    minutes=booking.actual_minutes,
                    income=max(income, ZERO),
                    started_at=booking.start,
                    ended_at=booking.start + dt.timedelta(minutes=booking.actual_minutes),
                    at=booking.start,
                    year=year,
                    month=month,
                    response_minutes=_minutes_between(booking.created_at, answered[booking.pk]),
                )
            )
        UsageRecord.objects.bulk_create(rows)
        created += len(rows)


def _record_missing_sample_orders() -> int:
    missing = SampleOrder.objects.filter(status=OrderStatus.COMPLETED, usage_record__isnull=True)
    created = 0
    for order in missing.select_related("instrument__institution").iterator():
        _sample_order_record(order)
        created += 1
    return created


def _sample_order_record(order: SampleOrder, by=None) -> UsageRecord:
    transitions = list(order.transitions.order_by("at", "pk").values("from_status", "at"))
    answered = next((t["at"] for t in transitions if t["from_status"] == "requested"), None)
    completed_at = transitions[-1]["at"] if transitions else order.updated_at
    return _service_record(
        order, Source.SAMPLE_ORDER, completed_at, answered, by, sample_order=order, minutes=0
    )


def where_and_when(instrument, at) -> dict:
    """A usage record's copy of the instrument's place (institution, 州/市, category) and the
    period (year, month, Asia/Shanghai) of `at`."""
    year, month = local_period(at)
    return {
        "instrument": instrument,
        "institution_id": instrument.institution_id,
        "region": instrument.institution.region,
        "category": instrument.category,
        "at": at,
        "year": year,
        "month": month,
    }


def _service_record(item, source: str, at, answered, by, **fields) -> UsageRecord:
    """The usage record of a completed booking or sample order (`item`): served at `at`,
    first answered by the institution at `answered`, net income of its payments."""
    instrument = item.instrument
    return UsageRecord.objects.create(
        **where_and_when(instrument, at),
        kind=UsageKind.SERVICE,
        source=source,
        user_id=item.user_id,
        external=not is_internal(item.user_id, instrument.institution_id),
        income=max(paid_total(item.payments.all()), ZERO),
        response_minutes=_minutes_between(item.created_at, answered),
        recorded_by=by,
        **fields,
    )


SCOPE_FIELDS = {
    Scope.PROVINCE: None,
    Scope.REGION: "region",
    Scope.INSTITUTION: "institution_id",
    Scope.INSTRUMENT: "instrument_id",
    Scope.CATEGORY: "category",
}


def _sums() -> dict:
    service = Q(kind=UsageKind.SERVICE)
    external = service & Q(external=True)
    internal = service & Q(external=False)

    def minutes(condition):
        return Sum("minutes", filter=condition, default=0)

    return {
        "effective_minutes": minutes(Q(kind__in=[UsageKind.SERVICE, UsageKind.RESEARCH])),
        "external_minutes": minutes(external),
        "internal_minutes": minutes(internal),
        "research_minutes": minutes(Q(kind=UsageKind.RESEARCH)),
        "maintenance_minutes": minutes(Q(kind=UsageKind.MAINTENANCE)),
        "downtime_minutes": minutes(Q(kind=UsageKind.DOWNTIME)),
        "services": Count("pk", filter=service),
        "external_services": Count("pk", filter=external),
        "income_internal": Sum("income", filter=internal, default=ZERO),
        "income_external": Sum("income", filter=external, default=ZERO),
        "ratings": Count("rating"),
        "rating_points": Sum(
            F("rating__timeliness") + F("rating__quality") + F("rating__attitude"), default=0
        ),
    }


def rebuild_tallies() -> int:
    """Every sum recomputed from the records (a few GROUP BY queries per scope)."""
    rows: list[Tally] = []
    for scope, field in SCOPE_FIELDS.items():
        group = [field] if field else []
        for period in (["year", "month"], ["year"]):
            for values in (
                UsageRecord.objects.order_by().values(*group, *period).annotate(**_sums())
            ):
                tally = Tally(
                    scope=scope,
                    key=str(values[field]) if field else "",
                    year=values["year"],
                    month=values.get("month", 0) if "month" in period else 0,
                    **{name: values[name] for name in COUNTERS if name in values},
                )
                rows.append(tally)
        users = (
            UsageRecord.objects.services()
            .order_by()
            .values(*group, "year")
            .annotate(
                users=Count("user", distinct=True),
                external_users=Count("user", distinct=True, filter=Q(external=True)),
            )
        )
        yearly = {(t.key, t.year): t for t in rows if t.scope == scope and t.month == 0}
        for values in users:
            key = str(values[field]) if field else ""
            yearly[(key, values["year"])].users_served = values["users"]
            yearly[(key, values["year"])].external_users_served = values["external_users"]
    with transaction.atomic():
        Tally.objects.all().delete()
        Tally.objects.bulk_create(rows, batch_size=5000)
        figures_changed.send(Tally, record=None)
    return len(rows)


def rebuild() -> dict[str, int]:
    """Records for completed services that have none yet, then every sum from the records."""
    bookings = _record_missing_bookings()
    orders = _record_missing_sample_orders()
    tallies = rebuild_tallies()
    return {"bookings": bookings, "sample_orders": orders, "tallies": tallies}
