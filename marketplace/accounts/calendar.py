"""iCalendar feeds (RFC 5545): a user's bookings, addressed by the secret token in the URL."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import icalendar
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from .models import User


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""


# Sources of events for a user's feed; the booking workflow registers its own.
EVENT_SOURCES: list = []


def events_for_user(user: User) -> Iterable[CalendarEvent]:
    for source in EVENT_SOURCES:
        yield from source(user)


def render_calendar(name: str, events: Iterable[CalendarEvent]) -> str:
    """An RFC 5545 document (escaping and line folding by the icalendar library)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//shuangchuang//bookings//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Shanghai")
    stamp = datetime.now(UTC)
    for event in events:
        entry = icalendar.Event()
        entry.add("uid", event.uid)
        entry.add("dtstamp", stamp)
        entry.add("dtstart", event.start.astimezone(UTC))
        entry.add("dtend", event.end.astimezone(UTC))
        entry.add("summary", event.summary)
        if event.location:
            entry.add("location", event.location)
        if event.description:
            entry.add("description", event.description)
        calendar.add_component(entry)
    return calendar.to_ical().decode("utf-8")


def token_owner(request: HttpRequest) -> User | None:
    """The active user whose secret calendar token the feed's URL carries, if any."""
    token = request.GET.get("token", "")
    return User.objects.filter(calendar_token=token, is_active=True).first() if token else None


def calendar_response(
    user: User, name: Callable[[], str], events: Iterable[CalendarEvent], filename: str
) -> HttpResponse:
    """A feed as `user`'s calendar app fetches it: a calendar app asks, not a person, so the
    feed (its `name()` and the events' texts) is in the owner's preferred language."""
    with translation.override(user.email_language):
        body = render_calendar(name(), events)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Language"] = user.email_language
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
def user_calendar(request: HttpRequest) -> HttpResponse:
    user = token_owner(request)
    if user is None:
        raise Http404
    return calendar_response(
        user,
        lambda: gettext("%(user)s 的预约") % {"user": user.username},
        events_for_user(user),
        "bookings.ics",
    )
