"""iCalendar feeds (RFC 5545): a user's bookings, addressed by the secret token in the URL."""

from __future__ import annotations

from collections.abc import Iterable
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


@require_GET
def user_calendar(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("token", "")
    user = User.objects.filter(calendar_token=token, is_active=True).first() if token else None
    if user is None:
        raise Http404
    # A calendar app asks, not a person: the feed is in its owner's preferred language.
    with translation.override(user.email_language):
        name = gettext("%(user)s 的预约") % {"user": user.username}
        body = render_calendar(name, events_for_user(user))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Language"] = user.email_language
    response["Content-Disposition"] = 'inline; filename="bookings.ics"'
    return response
