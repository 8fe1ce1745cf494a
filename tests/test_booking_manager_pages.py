"""What a manager needs on the booking pages: who booked, a way back to the queue, decisions
that look different, a cancel that first shows the refund, a status filter on the queue."""

import datetime as dt
from decimal import Decimal

import pytest

from marketplace.bookings import services
from marketplace.bookings.models import Booking
from tests.booking_fixtures import at
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(booking_world):
    instrument, startup, manager, day = booking_world
    startup.first_name, startup.last_name, startup.phone = "明", "李", "13800000000"
    startup.save()
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    return booking, startup, manager


def test_the_manager_sees_who_booked_and_goes_back_to_the_queue(client, requested):
    booking, _startup, manager = requested
    client.force_login(manager)
    html = client.get(f"/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="booker"' in html
    assert "李明" in html or "明 李" in html
    assert 'href="mailto:founder@startup.example"' in html
    assert 'href="tel:13800000000"' in html
    assert '<a href="/bookings/queue/" id="back-link">返回预约审核</a>' in html
    assert 'class="button-approve" id="approve"' in html
    assert 'class="button-danger" id="reject"' in html
    assert 'class="button button-danger-outline" id="cancel"' in html


def test_the_booker_does_not_see_the_booker_card_and_goes_back_to_their_bookings(client, requested):
    booking, startup, _manager = requested
    client.force_login(startup)
    html = client.get(f"/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="booker"' not in html
    assert '<a href="/bookings/" id="back-link">我的预约</a>' in html


def test_cancel_first_shows_the_refund_the_policy_pays_now(client, requested):
    booking, startup, manager = requested
    services.approve(booking, manager)
    services.pay(booking, startup, "offline", return_url="http://testserver/")
    services.confirm_offline_payment(booking, manager, "REF-1")
    booking.refresh_from_db()
    assert booking.status == "confirmed"
    # The slot is days ahead: more than 48 hours → the 100% tier; move it to 30 hours ahead.
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=30)
    Booking.objects.filter(pk=booking.pk).update(start=start, end=start + dt.timedelta(hours=2))
    client.force_login(startup)
    page = client.get(f"/bookings/{booking.pk}/cancel/confirm/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<strong id="refund-amount">¥450.00</strong>（50%）' in html  # 24–48 h: half of 900
    booking.refresh_from_db()
    assert booking.status == "confirmed"  # looking is not cancelling
    response = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "计划有变"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    refunds = booking.payments.filter(kind="refund")
    assert [p.amount for p in refunds] == [Decimal("450.00")]


def test_the_institution_cancelling_sees_a_full_refund(client, requested):
    booking, _startup, manager = requested
    client.force_login(manager)
    html = client.get(
        f"/bookings/{booking.pk}/cancel/confirm/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert '<strong id="refund-amount">¥0.00</strong>' in html
    assert "尚未付款" in html


def test_cancel_confirmation_is_404_for_strangers_and_refused_when_not_cancellable(
    client, requested
):
    booking, _startup, manager = requested
    client.force_login(UserFactory())
    assert client.get(f"/bookings/{booking.pk}/cancel/confirm/").status_code == 404
    services.reject(booking, manager, "设备维护")
    client.force_login(manager)
    response = client.get(f"/bookings/{booking.pk}/cancel/confirm/")
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"


def test_the_queue_filters_by_status(client, booking_world):
    instrument, startup, manager, day = booking_world
    pending = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "10:00"))
    rejected = services.request_booking(startup, instrument, at(day, "14:00"), at(day, "15:00"))
    services.reject(rejected, manager, "设备维护")
    client.force_login(manager)
    default = client.get("/bookings/queue/").content.decode()
    assert f'href="/bookings/{pending.pk}/"' in default
    assert f'href="/bookings/{rejected.pk}/"' not in default
    only_rejected = client.get("/bookings/queue/", {"status": "rejected"}).content.decode()
    assert f'href="/bookings/{rejected.pk}/"' in only_rejected
    assert f'href="/bookings/{pending.pk}/"' not in only_rejected
    assert '<option value="rejected" selected>' in only_rejected
    nonsense = client.get("/bookings/queue/", {"status": "<script>"})
    assert nonsense.status_code == 200
    assert f'href="/bookings/{pending.pk}/"' in nonsense.content.decode()
