"""The booking events in a user's iCalendar feed."""

from __future__ import annotations

from django.utils.translation import gettext

from marketplace.accounts.calendar import CalendarEvent

from .models import ACTIVE_STATUSES, Booking, Status


def booking_events(user):
    bookings = (
        Booking.objects.filter(user=user, status__in=[*ACTIVE_STATUSES, Status.COMPLETED])
        .select_related("instrument__institution")
        .order_by("start")
    )
    for booking in bookings:
        yield _event(
            booking,
            gettext("%(instrument)s（%(status)s）")
            % {"instrument": booking.instrument.name, "status": booking.get_status_display()},
            booking.instrument.location or booking.instrument.institution.name,
        )


def instrument_events(instrument):
    bookings = (
        Booking.objects.filter(
            instrument=instrument, status__in=[*ACTIVE_STATUSES, Status.COMPLETED]
        )
        .select_related("user")
        .order_by("start")
    )
    for booking in bookings:
        yield _event(
            booking,
            gettext("#%(id)s %(user)s（%(status)s）")
            % {
                "id": booking.pk,
                "user": booking.user.get_username(),
                "status": booking.get_status_display(),
            },
            instrument.location,
        )


def _event(booking: Booking, summary: str, location: str) -> CalendarEvent:
    return CalendarEvent(
        uid=f"booking-{booking.pk}@shuangchuang",
        start=booking.start,
        end=booking.end,
        summary=summary,
        location=location,
        description=booking.purpose,
    )


def instrument_calendar(request, code: str):
    """The instrument's bookings for its institution's members, by their calendar token."""
    from django.http import Http404

    from marketplace.accounts.calendar import calendar_response, token_owner
    from marketplace.accounts.permissions import is_member_of
    from marketplace.catalogue.models import Instrument

    user = token_owner(request)
    instrument = Instrument.objects.filter(code=code).select_related("institution").first()
    if user is None or instrument is None or not is_member_of(user, instrument.institution_id):
        raise Http404
    return calendar_response(
        user,
        lambda: gettext("%(instrument)s 的预约") % {"instrument": instrument.name},
        instrument_events(instrument),
        f"{instrument.code}.ics",
    )
