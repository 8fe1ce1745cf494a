"""The booking events in a user's iCalendar feed."""

from __future__ import annotations

from marketplace.accounts.calendar import CalendarEvent

from .models import ACTIVE_STATUSES, Booking, Status


def booking_events(user):
    bookings = (
        Booking.objects.filter(user=user, status__in=[*ACTIVE_STATUSES, Status.COMPLETED])
        .select_related("instrument__institution")
        .order_by("start")
    )
    for booking in bookings:
        yield CalendarEvent(
            uid=f"booking-{booking.pk}@shuangchuang",
            start=booking.start,
            end=booking.end,
            summary=f"{booking.instrument.name}（{booking.get_status_display()}）",
            location=booking.instrument.location or booking.instrument.institution.name,
            description=booking.purpose,
        )
