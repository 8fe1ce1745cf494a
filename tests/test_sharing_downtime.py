"""Downtime marked on an instrument: the holders of the bookings it hits are told and may
cancel with a full refund whatever the refund tiers say; new bookings of the period are refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.authtoken.models import Token

from marketplace.bookings.models import Booking
from marketplace.catalogue.models import Blackout, RefundTier
from marketplace.notifications.models import Notification
from marketplace.payments.models import Payment
from marketplace.sharing.models import UsageRecord
from tests.factories import BookingFactory, PaymentFactory
from tests.sharing_fixtures import make_world

pytestmark = pytest.mark.django_db


def api(client, user):
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def hit():
    """A paid, confirmed booking starting in two hours: the tiers would refund nothing."""
    world = make_world()
    RefundTier.objects.create(instrument=world.instrument, hours_before=48, refund_percent=100)
    start = timezone.now() + dt.timedelta(hours=2)
    booking = BookingFactory(
        instrument=world.instrument,
        user=world.outsider,
        start=start,
        end=start + dt.timedelta(hours=2),
        status="confirmed",
        price=Decimal("900.00"),
    )
    PaymentFactory(booking=booking, amount=Decimal("900.00"))
    untouched = BookingFactory(
        instrument=world.instrument,
        user=world.other_outsider,
        start=start + dt.timedelta(days=3),
        end=start + dt.timedelta(days=3, hours=1),
        status="confirmed",
    )
    return world, booking, untouched, start


def mark_downtime(client, world, start, hours=4):
    return api(client, world.manager).post(
        f"/api/v1/instruments/{world.instrument.code}/usage/",
        {
            "kind": "downtime",
            "start": (start - dt.timedelta(hours=1)).isoformat(),
            "end": (start + dt.timedelta(hours=hours - 1)).isoformat(),
            "note": "真空泵故障",
        },
        format="json",
    )


def test_downtime_tells_the_holders_it_hits_and_blocks_the_period(
    api_client, hit, django_capture_on_commit_callbacks
):
    world, booking, untouched, start = hit
    with django_capture_on_commit_callbacks(execute=True):
        response = mark_downtime(api_client, world, start)
    assert response.status_code == 201, response.json()
    assert response.json()["minutes"] == 240
    record = UsageRecord.objects.get(kind="downtime")
    notice = Notification.objects.get(user=world.outsider)
    assert "全额退款" in notice.message
    assert notice.url == f"/statistics/downtime/{record.pk}/"
    assert not Notification.objects.filter(user=world.other_outsider).exists()
    # The holder also gets it by email, and only the holder.
    assert [m.to for m in mail.outbox] == [[world.outsider.email]]
    assert "全额退款" in mail.outbox[0].body
    assert f"/statistics/downtime/{record.pk}/" in mail.outbox[0].body
    assert (
        Blackout.objects.filter(instrument=world.instrument)
        .overlapping(booking.start, booking.end)
        .exists()
    )


def test_the_holder_cancels_with_a_full_refund_from_the_page(client, api_client, hit):
    world, booking, _untouched, start = hit
    mark_downtime(api_client, world, start)
    record = UsageRecord.objects.get(kind="downtime")
    client.force_login(world.outsider)
    page = client.get(f"/statistics/downtime/{record.pk}/").content.decode()
    assert "取消预约并全额退款" in page
    response = client.post(f"/statistics/downtime/{record.pk}/", {"booking": booking.pk})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    refund = Payment.objects.get(booking=booking, kind="refund")
    assert refund.amount == Decimal("900.00")


def test_the_api_cancels_only_the_callers_own_hit_booking(api_client, hit):
    world, booking, untouched, start = hit
    mark_downtime(api_client, world, start)
    record = UsageRecord.objects.get(kind="downtime")
    # Someone else's booking, and a booking outside the downtime: not found.
    stranger = api(api_client.__class__(), world.other_outsider)
    assert (
        stranger.post(
            f"/api/v1/downtime/{record.pk}/cancel-booking/", {"booking": booking.pk}, format="json"
        ).status_code
        == 404
    )
    holder = api(api_client.__class__(), world.outsider)
    outside = holder.post(
        f"/api/v1/downtime/{record.pk}/cancel-booking/", {"booking": untouched.pk}, format="json"
    )
    assert outside.status_code == 404
    response = holder.post(
        f"/api/v1/downtime/{record.pk}/cancel-booking/", {"booking": booking.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["refund"] == {"amount": "900.00", "currency": "CNY"}
    assert Booking.objects.get(pk=untouched.pk).status == "confirmed"
    again = holder.post(
        f"/api/v1/downtime/{record.pk}/cancel-booking/", {"booking": booking.pk}, format="json"
    )
    assert again.status_code == 409


def test_only_members_record_usage_and_bad_input_is_a_400(api_client, hit):
    world, _booking, _untouched, start = hit
    outsider = api(api_client.__class__(), world.outsider).post(
        f"/api/v1/instruments/{world.instrument.code}/usage/",
        {"kind": "downtime", "start": start.isoformat(), "end": start.isoformat()},
        format="json",
    )
    assert outsider.status_code == 404
    manager = api(api_client.__class__(), world.manager)
    backwards = manager.post(
        f"/api/v1/instruments/{world.instrument.code}/usage/",
        {
            "kind": "research",
            "start": "2025-01-01T09:00:00+08:00",
            "end": "2025-01-01T08:00:00+08:00",
        },
        format="json",
    )
    assert backwards.status_code == 400
    assert list(backwards.json()["errors"]) == ["end"]
    wrong_kind = manager.post(
        f"/api/v1/instruments/{world.instrument.code}/usage/",
        {
            "kind": "service",
            "start": "2025-01-01T09:00:00+08:00",
            "end": "2025-01-01T10:00:00+08:00",
        },
        format="json",
    )
    assert wrong_kind.status_code == 400
    assert list(wrong_kind.json()["errors"]) == ["kind"]
    assert not Notification.objects.filter(user=world.outsider).exists()
