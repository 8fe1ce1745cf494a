"""Every time a person reads is in the site's zone (Asia/Shanghai): notices, their emails, the
admin's listing of bookings, blackouts, the payment description. Times are stored in UTC, so
each is rendered here from a UTC instant whose Shanghai wall-clock time differs (08:30 local is
00:30 UTC) and must read 08:30."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from marketplace.accounts.permissions import MODERATORS_GROUP
from marketplace.bookings import services
from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Blackout
from marketplace.notifications.models import Notification
from marketplace.notifications.services import send_pending
from marketplace.payments.payables import spec_for
from tests.booking_fixtures import at
from tests.factories import BookingFactory, InstrumentFactory, UserFactory

pytestmark = pytest.mark.django_db
UTC_INSTANT = dt.datetime(2026, 12, 8, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai


def _utc(day, hhmm):
    """The instant of `hhmm` Shanghai time on `day`, as the database holds it (UTC)."""
    return at(day, hhmm).astimezone(dt.UTC)


def test_booking_str_and_the_admin_list_show_shanghai_time(client):
    booking = BookingFactory(
        instrument=InstrumentFactory(name="扫描电镜"),
        start=UTC_INSTANT,
        end=UTC_INSTANT + dt.timedelta(hours=1),
    )
    booking.refresh_from_db()
    assert str(booking) == f"#{booking.pk} 扫描电镜 2026-12-08 08:30"
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    client.force_login(moderator)
    listing = client.get("/admin/booking/").content.decode()
    assert "2026-12-08 08:30" in listing
    assert "2026-12-08 00:30" not in listing


def test_a_blackout_reads_in_shanghai_time():
    blackout = Blackout.objects.create(
        instrument=InstrumentFactory(name="扫描电镜"),
        starts_at=UTC_INSTANT,
        ends_at=UTC_INSTANT + dt.timedelta(hours=3, minutes=30),
    )
    blackout.refresh_from_db()
    assert str(blackout) == "扫描电镜 2026-12-08 08:30–2026-12-08 12:00"


def test_the_payment_description_of_a_booking_shows_shanghai_time():
    booking = BookingFactory(
        instrument=InstrumentFactory(name="扫描电镜"),
        start=UTC_INSTANT,
        end=UTC_INSTANT + dt.timedelta(hours=1),
    )
    booking = Booking.objects.get(pk=booking.pk)
    assert spec_for(booking).describe(booking) == "扫描电镜 2026-12-08 08:30"


def test_every_notice_and_email_of_a_booking_journey_shows_shanghai_time(booking_world):
    instrument, startup, manager, day = booking_world
    start = _utc(day, "08:30")
    assert start.hour == 0  # stored as 00:30 UTC
    booking = services.request_booking(
        startup, instrument, start, start + dt.timedelta(hours=2), "XRD"
    )
    services.approve(booking, manager)
    services.cancel(booking, startup, "计划有变")
    local, utc = f"{day:%Y-%m-%d} 08:30", f"{day:%Y-%m-%d} 00:30"
    notices = list(Notification.objects.order_by("pk"))
    assert [n.message.split("：")[0] for n in notices] == [
        "新的预约申请待审核",
        "预约已通过审核，请付款",
        "预约已取消",
    ]
    for notice in notices:
        assert local in notice.message and local in notice.message_en, notice.message
        assert utc not in notice.message + notice.message_en
    sent, failed = send_pending()
    assert (sent, failed) == (3, 0)
    assert len(mail.outbox) == 3
    for email in mail.outbox:
        assert local in email.body
        assert utc not in email.body + email.subject
