"""Shared helpers for the booking tests: dates on future weekdays in Asia/Shanghai."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

SHANGHAI = ZoneInfo("Asia/Shanghai")


def next_weekday(weekday: int, days_ahead: int = 3) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while day.weekday() != weekday:
        day += dt.timedelta(days=1)
    return day


def at(day, hhmm, zone=SHANGHAI):
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=zone)


class BrokenEmailBackend:
    """An SMTP relay that is down: every send raises, as smtplib would."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("relay is down")
