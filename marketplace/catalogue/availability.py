"""Free machine time of an instrument: opening hours minus blackouts, bookings and the
periods the booking rules close (before the minimum notice, beyond the advance window).

A computed read. Opening hours come from the instrument's (prefetched) rows; blackouts and
busy intervals are fetched once per call for the whole range — or passed in by a caller that
loaded them in bulk for many instruments — so the cost never grows with days or slots.
Busy intervals come from BUSY_SOURCES: the booking workflow registers its active bookings
there, and nothing else here has to change.

One instrument's answer (the API's availability: `published_rules`, then
`rules_availability_json`) is two statements whose SQL the ORM compiles once per process and
database (`Statement`): the instrument's booking rules with its opening hours, then its
blackouts and every source's busy rows in one UNION.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.statements import Statement

UTC = dt.UTC
MAX_RANGE_DAYS = 62
# Dates outside these bounds are refused: near year 1 or 9999 the arithmetic on them overflows.
EARLIEST_DATE = dt.date(1970, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)

Interval = tuple[dt.datetime, dt.datetime]


class BusyRows(NamedTuple):
    """A busy source's rows: a query of a model with an `instrument` and the names of its
    interval's start and end fields."""

    queryset: QuerySet
    start: str
    end: str


# callable(instrument_ids, start, end, now) -> BusyRows of the busy intervals of those
# instruments that overlap start..end, as they stand at `now`. A query, not its rows: the
# single-instrument answer compiles it once with the blackouts (rules_availability_json).
BUSY_SOURCES: list[Callable[[list[int], dt.datetime, dt.datetime, dt.datetime], BusyRows]] = []


class AvailabilityRangeError(ValueError):
    """The requested date range is not a valid range of at most 62 days."""


class FreeInterval(NamedTuple):
    """A NamedTuple, not a dataclass: a floor of 1,000 instruments makes tens of thousands."""

    start: dt.datetime
    end: dt.datetime

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def parse_range(
    start: str | None, end: str | None, *, max_days: int = MAX_RANGE_DAYS
) -> tuple[dt.date, dt.date]:
    """`start`/`end` as YYYY-MM-DD, end inclusive, at most `max_days` (62) days."""
    if not start or not end:
        raise AvailabilityRangeError(gettext("start 和 end 均为必填（YYYY-MM-DD）"))
    try:
        first = dt.date.fromisoformat(start)
        last = dt.date.fromisoformat(end)
    except ValueError:
        raise AvailabilityRangeError(gettext("日期格式应为 YYYY-MM-DD 且为真实日期")) from None
    if not (EARLIEST_DATE <= first <= LATEST_DATE and EARLIEST_DATE <= last <= LATEST_DATE):
        raise AvailabilityRangeError(
            gettext("日期须在 %(earliest)s 至 %(latest)s 之间")
            % {"earliest": EARLIEST_DATE, "latest": LATEST_DATE}
        )
    if last < first:
        raise AvailabilityRangeError(gettext("end 不能早于 start"))
    if (last - first).days + 1 > max_days:
        raise AvailabilityRangeError(gettext("查询范围最多 %(days)s 天") % {"days": max_days})
    return first, last


def _subtract(pieces: list[Interval], taken: Iterable[Interval]) -> list[Interval]:
    for t_start, t_end in taken:
        next_pieces = []
        for start, end in pieces:
            if t_end <= start or t_start >= end:
                next_pieces.append((start, end))
                continue
            if t_start > start:
                next_pieces.append((start, t_start))
            if t_end < end:
                next_pieces.append((t_end, end))
        pieces = next_pieces
    return pieces


def _align(piece: Interval, origin: dt.datetime, slot: dt.timedelta) -> Interval | None:
    """Shrink a free piece to whole slots counted from its opening interval's start."""
    start, end = piece
    offset = (start - origin) % slot
    if offset:
        start += slot - offset
    end -= (end - origin) % slot
    return (start, end) if end - start >= slot else None


@lru_cache(maxsize=1024)
def parse_time(text: str) -> dt.time:
    """A wall-clock time read as text ("HH:MM:SS"), parsed once per distinct value."""
    return dt.time.fromisoformat(text)


# The opening windows of one day in UTC and their free slots when nothing is taken, remembered
# (exact: same wall-clock times, zone and slot, same answer): a floor of 1,000 instruments with
# the same opening hours computes each window once instead of a thousand times.
@lru_cache(maxsize=8192)
def _window(day: dt.date, opens: dt.time, closes: dt.time, zone_name: str) -> Interval:
    # Wall-clock times made aware in the instrument's zone (fold=0 on a repeated hour).
    zone = ZoneInfo(zone_name)
    return (
        dt.datetime.combine(day, opens, tzinfo=zone).astimezone(UTC),
        dt.datetime.combine(day, closes, tzinfo=zone).astimezone(UTC),
    )


@lru_cache(maxsize=8192)
def _whole_window(
    open_at: dt.datetime, close_at: dt.datetime, slot: dt.timedelta, zone_name: str
) -> tuple[FreeInterval, ...]:
    aligned = _align((open_at, close_at), open_at, slot)
    if not aligned:
        return ()
    zone = ZoneInfo(zone_name)
    return (FreeInterval(aligned[0].astimezone(zone), aligned[1].astimezone(zone)),)


def busy_intervals(
    instrument_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    busy: dict[int, list[Interval]] = {}
    if isinstance(instrument_ids, list):
        busy = {pk: [] for pk in instrument_ids}
    now = timezone.now()
    for source in BUSY_SOURCES:
        rows = source(instrument_ids, start, end, now)
        fields = ("instrument_id", rows.start, rows.end)
        for pk, b_start, b_end in datetime_rows(rows.queryset, *fields):
            busy.setdefault(pk, []).append((b_start, b_end))
    return busy


def blackout_intervals(
    instrument_ids: list[int], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Interval]]:
    from .models import Blackout

    result: dict[int, list[Interval]] = {}
    if isinstance(instrument_ids, list):
        result = {pk: [] for pk in instrument_ids}
    rows = Blackout.objects.filter(instrument_id__in=instrument_ids).overlapping(start, end)
    for pk, b_start, b_end in datetime_rows(rows, "instrument_id", "starts_at", "ends_at"):
        result.setdefault(pk, []).append((b_start, b_end))
    return result


def free_intervals(
    instrument,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    blackouts: list[Interval] | None = None,
    busy: list[Interval] | None = None,
    opening: Iterable[tuple[int, dt.time, dt.time]] | None = None,
    respect_rules: bool = True,
) -> list[FreeInterval]:
    """Bookable free intervals from `first` to `last` (inclusive), in the instrument's zone.

    Pass `blackouts`/`busy` when they were loaded in bulk for several instruments; otherwise
    they are fetched here with one query each. `opening` — (weekday, start, end) rows — stands
    in for the instrument's (prefetched) opening hours when those were loaded in bulk too.
    """
    zone = ZoneInfo(instrument.timezone)
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    range_start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    range_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    if blackouts is None:
        blackouts = blackout_intervals([instrument.pk], range_start, range_end)[instrument.pk]
    if busy is None:
        busy = busy_intervals([instrument.pk], range_start, range_end)[instrument.pk]
    # The arithmetic runs in UTC: datetimes with one and the same tzinfo compare and subtract
    # without asking a zone for its offset, which a floor of 1,000 instruments would do
    # hundreds of thousands of times. Rows from the database are in UTC already.
    range_start, range_end = range_start.astimezone(UTC), range_end.astimezone(UTC)
    # Few, possibly overlapping intervals are checked against every opening interval; the
    # many bookings are found by bisection, so a busy instrument costs O(log n) per interval.
    few = [(start.astimezone(UTC), end.astimezone(UTC)) for start, end in blackouts]
    if respect_rules:
        earliest = now.astimezone(UTC) + dt.timedelta(hours=instrument.min_notice_hours)
        latest = now.astimezone(UTC) + dt.timedelta(days=instrument.max_advance_days)
        few += [(range_start, max(range_start, earliest)), (min(range_end, latest), range_end)]
    few = [(start, end) for start, end in few if start < end]
    many = sorted((start.astimezone(UTC), end.astimezone(UTC)) for start, end in busy)
    starts = [start for start, _end in many]
    reach = list(accumulate((end for _start, end in many), max))
    if instrument.status != "in_service" or not instrument.offers_machine_time:
        return []

    if opening is None:
        opening = ((i.weekday, i.start, i.end) for i in instrument.opening_hours.all())
    by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = {}
    for weekday, opens, closes in opening:
        by_weekday.setdefault(weekday, []).append((opens, closes))
    for hours in by_weekday.values():
        hours.sort()
    slot = dt.timedelta(minutes=instrument.slot_minutes)
    result: list[FreeInterval] = []
    day = first
    while day <= last:
        for opens, closes in by_weekday.get(day.weekday(), ()):
            open_at, close_at = _window(day, opens, closes, instrument.timezone)
            nearby = many[bisect_right(reach, open_at) : bisect_left(starts, close_at)]
            taken = [*nearby, *(t for t in few if t[0] < close_at and t[1] > open_at)]
            if not taken:  # the common case: the whole window, shared by same-hours instruments
                result += _whole_window(open_at, close_at, slot, instrument.timezone)
                continue
            for piece in _subtract([(open_at, close_at)], taken):
                aligned = _align(piece, open_at, slot)
                if aligned:
                    result.append(
                        FreeInterval(aligned[0].astimezone(zone), aligned[1].astimezone(zone))
                    )
        day += dt.timedelta(days=1)
    return result


def datetime_rows(queryset, *fields: str):
    """`queryset.values_list(*fields)` where the fields after the first are datetimes, read as
    text and parsed once per distinct value: the drivers' converters (SQLite's in Django,
    psycopg's in Python) would parse every one of a floor's thousands of booking times again,
    and most of them are the same few slot boundaries. The same aware datetimes (in UTC)."""
    if connections[queryset.db].vendor not in ("sqlite", "postgresql"):
        return queryset.values_list(*fields)
    first, *times = fields
    rows = queryset.values_list(first, *(Cast(name, CharField()) for name in times))
    return ((pk, *map(_aware_datetime, texts)) for pk, *texts in rows)


@lru_cache(maxsize=16384)
def _aware_datetime(text: str | None) -> dt.datetime | None:
    # PostgreSQL writes a timestamptz in ISO with its offset (the connection's zone is UTC);
    # SQLite stores it as naive text in UTC, which its converter makes aware.
    if text is None:
        return None
    moment = dt.datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class BookingRules(NamedTuple):
    """What availability reads of an instrument: its booking rules and opening hours."""

    pk: int
    timezone: str
    slot_minutes: int
    min_notice_hours: int
    max_advance_days: int
    status: str
    offers_machine_time: bool
    opening: tuple[tuple[int, dt.time, dt.time], ...]


def _rules_query(code: str) -> QuerySet:
    from .models import Instrument

    return (
        Instrument.objects.published()
        .filter(code=code)
        .order_by()
        .values_list(
            "pk",
            "timezone",
            "slot_minutes",
            "min_notice_hours",
            "max_advance_days",
            "status",
            "offers_machine_time",
            "opening_hours__weekday",
            Cast("opening_hours__start", CharField()),
            Cast("opening_hours__end", CharField()),
        )
    )


def _taken_query(pk: int, start: dt.datetime, end: dt.datetime, now: dt.datetime) -> QuerySet:
    """One instrument's blackouts (kind 0) and busy rows (kind 1) that overlap start..end."""
    from .models import Blackout

    def rows(queryset, start_field, end_field, kind):
        return queryset.order_by().values_list(
            Value(kind), Cast(start_field, CharField()), Cast(end_field, CharField())
        )

    blackouts = Blackout.objects.filter(instrument_id__in=[pk]).overlapping(start, end)
    parts = [rows(blackouts, "starts_at", "ends_at", 0)]
    for source in BUSY_SOURCES:
        busy = source([pk], start, end, now)
        parts.append(rows(busy.queryset, busy.start, busy.end, 1))
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


_RULES = Statement(_rules_query, str)
_TAKEN = Statement(_taken_query, int, dt.datetime, dt.datetime, dt.datetime)


def published_rules(code: str) -> BookingRules | None:
    """The booking rules and opening hours of the published instrument `code` (one
    statement), or None when there is none."""
    rows = _RULES.rows(code)
    if not rows:
        return None
    pk, zone, slot, notice, advance, status, machine_time = rows[0][:7]
    opening = tuple(
        (weekday, parse_time(opens), parse_time(closes))
        for *_rules, weekday, opens, closes in rows
        if weekday is not None
    )
    return BookingRules(pk, zone, slot, notice, advance, status, bool(machine_time), opening)


def rules_availability_json(
    rules: BookingRules, first: dt.date, last: dt.date, *, now: dt.datetime | None = None
) -> dict:
    """availability_json of an instrument read by `published_rules`: its blackouts and busy
    intervals in one statement, none for an instrument that offers no machine time."""
    now = now or timezone.now()
    free: list[FreeInterval] = []
    if rules.status == "in_service" and rules.offers_machine_time:
        zone = ZoneInfo(rules.timezone)
        range_start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
        range_end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        blackouts: list[Interval] = []
        busy: list[Interval] = []
        for kind, start, end in _TAKEN.rows(rules.pk, range_start, range_end, now):
            (busy if kind else blackouts).append((_aware_datetime(start), _aware_datetime(end)))
        free = free_intervals(
            rules, first, last, now=now, blackouts=blackouts, busy=busy, opening=rules.opening
        )
    return {
        "timezone": rules.timezone,
        "slot_minutes": rules.slot_minutes,
        "free": intervals_json(free, rules.timezone),
    }


EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = dt.timedelta(microseconds=1)


class _Profile:
    """The week of one booking profile (zone, slot, notice, advance window, opening hours)
    that many instruments of an institution share, as integers (microseconds since 1970,
    UTC): its opening windows in order, the rule periods (before the minimum notice, beyond
    the advance window) and, per window, its free slots when the instrument itself has
    nothing in it. Computed once per profile, not once per instrument."""

    __slots__ = (
        "flat",
        "offsets",
        "zone",
        "slot",
        "windows",
        "opens",
        "reach",
        "rules",
        "untouched",
        "sorted",
        "known",
    )

    def __init__(self, instrument, opening, first: dt.date, last: dt.date, now: dt.datetime):
        zone = ZoneInfo(instrument.timezone)
        self.zone = instrument.timezone
        self.slot = instrument.slot_minutes * 60_000_000
        # As free_intervals: the range in the instrument's zone, the rules from `now`.
        range_start = _micros(dt.datetime.combine(first, dt.time.min, tzinfo=zone))
        range_end = _micros(
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        )
        earliest = _micros(now + dt.timedelta(hours=instrument.min_notice_hours))
        latest = _micros(now + dt.timedelta(days=instrument.max_advance_days))
        rules = [(range_start, max(range_start, earliest)), (min(range_end, latest), range_end)]
        self.rules = [(start, end) for start, end in rules if start < end]
        by_weekday: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for weekday, opens, closes in opening:
            by_weekday.setdefault(weekday, []).append((opens, closes))
        for hours in by_weekday.values():
            hours.sort()
        windows = []
        day = first
        while day <= last:
            for opens, closes in by_weekday.get(day.weekday(), ()):
                open_at, close_at = _window(day, opens, closes, instrument.timezone)
                windows.append((_micros(open_at), _micros(close_at)))
            day += dt.timedelta(days=1)
        self.windows = windows
        self.opens = [open_at for open_at, _close in windows]
        self.reach = list(accumulate((close for _open, close in windows), max))
        self.sorted = self.opens == sorted(self.opens)
        self.known: dict[tuple[int, int], FreeInterval] = {}
        self.untouched = [
            [self.interval(start, end) for start, end in self.free(index, ())]
            for index in range(len(windows))
        ]
        self.flat = [interval for intervals in self.untouched for interval in intervals]
        self.offsets = [0, *accumulate(len(intervals) for intervals in self.untouched)]

    def interval(self, start: int, end: int) -> FreeInterval:
        known = self.known.get((start, end))
        if known is None:
            known = self.known[start, end] = _free_interval(start, end, self.zone)
        return known

    def free(self, index: int, own: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
        """Window `index` minus the rule periods and `own` (positive-length intervals that
        overlap it), cut to whole slots counted from the window's start — what _subtract and
        _align make of it: the pieces are the gaps between the taken intervals."""
        open_at, close_at = self.windows[index]
        taken = sorted([*own, *((s, e) for s, e in self.rules if s < close_at and e > open_at)])
        slot, free, cursor = self.slot, [], open_at
        for start, end in taken:
            if start > cursor:
                free.append((cursor, start))
            if end > cursor:
                cursor = end
                if cursor >= close_at:
                    break
        if cursor < close_at:
            free.append((cursor, close_at))
        aligned = []
        for start, end in free:
            offset = (start - open_at) % slot
            if offset:
                start += slot - offset
            end -= (end - open_at) % slot
            if end - start >= slot:
                aligned.append((start, end))
        return aligned

    def week(self, own: list[tuple[int, int]]) -> list[FreeInterval]:
        """The free slots of an instrument of this profile whose own bookings and blackouts
        are `own`: the shared windows where nothing of its own is, recomputed where it is."""
        flat, offsets = self.flat, self.offsets
        if not own:
            return flat[:]
        touched: dict[int, list[tuple[int, int]]] = {}
        windows = self.windows
        for start, end in own:
            if self.sorted:  # the windows that can overlap, by bisection
                indices = range(bisect_right(self.reach, start), bisect_left(self.opens, end))
            else:  # a day's windows out of order (a zone's clock change): look at all
                indices = range(len(windows))
            for index in indices:
                if windows[index][0] < end and windows[index][1] > start:
                    touched.setdefault(index, []).append((start, end))
        # The shared intervals of the untouched windows, in slices; the touched ones computed.
        result, done = [], 0
        for index in sorted(touched):
            result += flat[offsets[done] : offsets[index]]
            result += [self.interval(s, e) for s, e in self.free(index, touched[index])]
            done = index + 1
        result += flat[offsets[done] :]
        return result


def _micros(moment: dt.datetime) -> int:
    return (moment - EPOCH) // MICROSECOND


@lru_cache(maxsize=16384)
def _free_interval(start: int, end: int, zone_name: str) -> FreeInterval:
    """The FreeInterval of two integer times in the zone, shared by every instrument (and
    every request) that has this slot free."""
    zone = ZoneInfo(zone_name)
    return FreeInterval(
        (EPOCH + dt.timedelta(microseconds=start)).astimezone(zone),
        (EPOCH + dt.timedelta(microseconds=end)).astimezone(zone),
    )


def free_intervals_of_many(
    instruments: list,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    scope=None,
) -> dict[int, list[FreeInterval]]:
    """`free_intervals` for many instruments at once (an institution's whole floor): their
    opening hours, blackouts and busy intervals are loaded with one query per source (for the
    widest window any of their zones needs) as plain rows, so the cost is a fixed number of
    queries however many instruments there are. `scope` — a query of the instruments' ids
    (e.g. an institution's) — stands in for a list of a thousand ids in those queries.

    The same answer as `free_intervals` for each (tests/test_booking_floor.py compares them),
    computed once per booking profile that instruments share (`_Profile`) and, for each
    instrument, only where its own bookings and blackouts are."""
    from .models import OpeningInterval

    if not instruments:
        return {}
    ids = [instrument.pk for instrument in instruments]
    in_ids = ids if scope is None else scope
    opening: dict[int, list[tuple[int, dt.time, dt.time]]] = {pk: [] for pk in ids}
    # The times as text, parsed once per distinct value: SQLite's converter would parse each
    # of the ~11 rows per instrument again.
    rows = (
        OpeningInterval.objects.filter(instrument_id__in=in_ids)
        .order_by()
        .values_list(
            "instrument_id", "weekday", Cast("start", CharField()), Cast("end", CharField())
        )
    )
    for pk, weekday, opens, closes in rows:
        if pk in opening:
            opening[pk].append((weekday, parse_time(opens), parse_time(closes)))
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    zones = {ZoneInfo(name) for name in {instrument.timezone for instrument in instruments}}
    window_start = min(dt.datetime.combine(first, dt.time.min, tzinfo=zone) for zone in zones)
    window_end = max(
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone) for zone in zones
    )
    blackouts = blackout_intervals(in_ids, window_start, window_end)
    busy = busy_intervals(in_ids, window_start, window_end)
    micros: dict[dt.datetime, int] = {}  # each distinct time converted once

    def as_micros(moment: dt.datetime) -> int:
        value = micros.get(moment)
        if value is None:
            value = micros[moment] = _micros(moment)
        return value

    profiles: dict[tuple, _Profile] = {}
    result: dict[int, list[FreeInterval]] = {}
    for instrument in instruments:
        pk = instrument.pk
        if instrument.status != "in_service" or not instrument.offers_machine_time:
            result[pk] = []
            continue
        own_busy = busy.get(pk, ())
        if any(not start < end for start, end in own_busy):
            # A busy interval of no length splits a window in free_intervals' subtraction:
            # leave such an instrument (no booking can be one) to it.
            result[pk] = free_intervals(
                instrument,
                first,
                last,
                now=now,
                blackouts=blackouts.get(pk, []),
                busy=list(own_busy),
                opening=opening[pk],
            )
            continue
        hours = tuple(sorted(opening[pk]))
        key = (
            instrument.timezone,
            instrument.slot_minutes,
            instrument.min_notice_hours,
            instrument.max_advance_days,
            hours,
        )
        profile = profiles.get(key)
        if profile is None:
            profile = profiles[key] = _Profile(instrument, hours, first, last, now)
        own = [
            (as_micros(start), as_micros(end))
            for start, end in (*own_busy, *blackouts.get(pk, ()))
            if start < end
        ]
        result[pk] = profile.week(own)
    return result


@lru_cache(maxsize=16384)
def _interval_json(interval: FreeInterval, zone_name: str) -> dict[str, str]:
    zone = ZoneInfo(zone_name)
    return {
        "start": interval.start.astimezone(zone).isoformat(),
        "end": interval.end.astimezone(zone).isoformat(),
    }


def intervals_json(
    intervals: list[FreeInterval], zone_name: str, memo: dict | None = None
) -> list[dict]:
    """The intervals as {"start", "end"} in the zone's offset. The dicts are shared between
    answers (remembered per interval): read them, never change them. `memo`, a dict kept
    while the intervals are (one answer), remembers them per interval object too: a floor's
    instruments share their FreeIntervals, and looking one up by identity costs less than
    hashing its two datetimes."""
    if memo is None:
        return [_interval_json(interval, zone_name) for interval in intervals]
    result = []
    for interval in intervals:
        key = (id(interval), zone_name)
        known = memo.get(key)
        if known is None:
            known = memo[key] = _interval_json(interval, zone_name)
        result.append(known)
    return result
