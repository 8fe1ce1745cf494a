"""An institution's whole floor: the free machine time of every one of its instruments over a
week, for its managers and staff (and platform moderators) — API and page.

Computed with the single-instrument arithmetic (`catalogue.availability.free_intervals`) fed
by bulk loads, so a floor of 1,000 instruments costs the same handful of queries as one of
three: the institution, its instruments, their opening hours, their blackouts and their
active bookings (plus who the caller is).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.accounts.models import Institution
from marketplace.accounts.permissions import is_member_of, is_platform_moderator
from marketplace.catalogue.availability import (
    AvailabilityRangeError,
    FreeInterval,
    free_intervals_of_many,
    parse_range,
)
from marketplace.catalogue.models import Instrument
from marketplace.catalogue.vocabularies import InstrumentStatus
from marketplace.workflow import NotFound, RuleError, require

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A week, as managers plan it; the answer stays bounded (1,000 instruments × 7 days).
MAX_FLOOR_DAYS = 7
STATUS_LABELS = dict(InstrumentStatus.choices)
FLOOR_FIELDS = (
    "pk",
    "code",
    "name",
    "live",
    "status",
    "offers_machine_time",
    "timezone",
    "slot_minutes",
    "min_notice_hours",
    "max_advance_days",
)


@dataclass(slots=True)
class FloorInstrument:
    pk: int
    code: str
    name: str
    live: bool
    status: str
    offers_machine_time: bool
    timezone: str
    slot_minutes: int
    min_notice_hours: int
    max_advance_days: int

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))


@dataclass
class FloorRow:
    instrument: FloorInstrument
    free: list[FreeInterval]

    @property
    def free_minutes(self) -> int:
        return sum(interval.minutes for interval in self.free)


@dataclass
class Floor:
    institution: Institution
    first: dt.date
    last: dt.date
    rows: list[FloorRow]


def week_of(today: dt.date) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def floor_range(start: str | None, end: str | None, *, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """`start`/`end` (YYYY-MM-DD, at most a week); neither given: this week, Monday to Sunday
    in Beijing time. A bad range is a RuleError on field `range` (400)."""
    if start is None and end is None:
        return week_of(now.astimezone(SHANGHAI).date())
    try:
        return parse_range(start, end, max_days=MAX_FLOOR_DAYS)
    except AvailabilityRangeError as exc:
        raise RuleError(str(exc), "invalid_range", field="range") from None


def floor_availability(
    user, code: str, first: dt.date, last: dt.date, *, now: dt.datetime | None = None
) -> Floor:
    """The free intervals of every instrument of institution `code` from `first` to `last`.

    NotFound (404) for an unknown institution or a visitor who is not signed in; Forbidden (403)
    for a signed-in person who is neither a member of the institution nor a moderator.
    """
    # A NUL byte cannot be in a code (PostgreSQL refuses it in a query: that would be a 500).
    institution = (
        Institution.objects.filter(code=code).only("pk", "code", "name").first()
        if "\x00" not in code
        else None
    )
    if institution is None or not user.is_authenticated:
        raise NotFound(_("没有这个机构。"), "not_found")
    require(
        is_member_of(user, institution.pk) or is_platform_moderator(user),
        _("只有本机构的成员可以查看全部仪器的空闲机时。"),
        "not_a_member",
    )
    # Plain rows, not Wagtail model instances: building 1,000 of those costs more than the
    # arithmetic. free_intervals reads only these attributes.
    instruments = [
        FloorInstrument(**values)
        for values in Instrument.objects.filter(institution_id=institution.pk)
        .order_by("code")
        .values(*FLOOR_FIELDS)
    ]
    # The institution's instruments as a subquery in the bulk loads: a list of 1,000 ids costs
    # Django more to compile (three times) than the database to resolve.
    scope = Instrument.objects.filter(institution_id=institution.pk).values("pk")
    free = free_intervals_of_many(instruments, first, last, now=now or timezone.now(), scope=scope)
    rows = [FloorRow(instrument, free[instrument.pk]) for instrument in instruments]
    return Floor(institution, first, last, rows)
