"""Reads other parts of the platform need: busy intervals for availability."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from marketplace.catalogue.availability import BusyRows

from .models import Booking, Status


def unexpired_active(now: dt.datetime | None = None):
    """Active bookings, treating a hold whose time has run out as already free."""
    now = now or timezone.now()
    return Booking.objects.active().exclude(
        Q(status__in=[Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT])
        & Q(hold_expires_at__lte=now)
    )


def active_intervals(
    instrument_ids: list[int], start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> BusyRows:
    """The catalogue's busy source (availability.BUSY_SOURCES): the bookings that take
    machine time on those instruments between start and end, as they stand at `now`."""
    rows = unexpired_active(now).filter(instrument_id__in=instrument_ids).overlapping(start, end)
    return BusyRows(rows, "start", "end")
