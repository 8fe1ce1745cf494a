"""Reads other parts of the platform need: busy intervals for availability."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from marketplace.catalogue.availability import datetime_rows

from .models import Booking, Status


def unexpired_active(now: dt.datetime | None = None):
    """Active bookings, treating a hold whose time has run out as already free."""
    now = now or timezone.now()
    return Booking.objects.active().exclude(
        Q(status__in=[Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT])
        & Q(hold_expires_at__lte=now)
    )


def active_intervals(instrument_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict:
    result: dict[int, list] = {}
    rows = unexpired_active().filter(instrument_id__in=instrument_ids).overlapping(start, end)
    for pk, b_start, b_end in datetime_rows(rows, "instrument_id", "start", "end"):
        result.setdefault(pk, []).append((b_start, b_end))
    return result
