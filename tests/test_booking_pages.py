"""Booking pages: confirm and request a slot, follow it, act on it; others get 404."""

import datetime as dt

import pytest

from marketplace.bookings import services
from marketplace.bookings.models import Booking
from tests.booking_fixtures import at
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_confirm_page_shows_price_and_policy_then_books(client, booking_world):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    start, end = at(day, "09:00").isoformat(), at(day, "10:30").isoformat()
    page = client.get(
        f"/instruments/{instrument.code}/book/",
        {"start": start, "end": end},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "¥675.00" in html
    assert "开始前 48 小时以上取消，退款 100%" in html
    response = client.post(
        f"/instruments/{instrument.code}/book/", {"start": start, "end": end, "purpose": "XRD"}
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert booking.purpose == "XRD"


def test_a_slot_that_breaks_a_rule_is_explained_and_not_booked(client, booking_world):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    response = client.post(
        f"/instruments/{instrument.code}/book/",
        {"start": at(day, "12:30").isoformat(), "end": at(day, "13:30").isoformat()},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "不在仪器开放时间内" in response.content.decode()
    assert not Booking.objects.exists()


def test_the_booking_page_needs_a_login(client, booking_world):
    instrument, _startup, _manager, day = booking_world
    response = client.get(
        f"/instruments/{instrument.code}/book/", {"start": at(day, "09:00").isoformat()}
    )
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_strangers_and_other_institutions_get_404_on_booking_pages(client, booking_world):
    instrument, startup, _manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    other_member = UserFactory()
    MembershipFactory(user=other_member, institution=InstitutionFactory(), role="manager")
    for user in (UserFactory(), other_member):
        client.force_login(user)
        assert client.get(f"/bookings/{booking.pk}/").status_code == 404
        assert client.post(f"/bookings/{booking.pk}/approve/").status_code == 404
        assert client.post(f"/bookings/{booking.pk}/cancel/").status_code == 404
    client.force_login(UserFactory())
    assert client.get("/bookings/queue/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == "pending_approval"


def test_the_institution_queue_lists_its_pending_requests(client, booking_world):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    client.force_login(manager)
    html = client.get("/bookings/queue/").content.decode()
    assert f'href="/bookings/{booking.pk}/"' in html
    assert "founder" in html
    response = client.post(f"/bookings/{booking.pk}/approve/", follow=True)
    assert response.status_code == 200
    booking.refresh_from_db()
    assert booking.status == "awaiting_payment"


def test_my_bookings_lists_only_mine(client, booking_world):
    instrument, startup, _manager, day = booking_world
    mine = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "10:00"))
    other = services.request_booking(UserFactory(), instrument, at(day, "14:00"), at(day, "15:00"))
    client.force_login(startup)
    html = client.get("/bookings/").content.decode()
    assert f'href="/bookings/{mine.pk}/"' in html
    assert f'href="/bookings/{other.pk}/"' not in html


def test_queue_and_my_bookings_query_counts_do_not_grow(
    client, booking_world, django_assert_max_num_queries
):
    instrument, startup, manager, day = booking_world
    # Six bookings by one person: above the default quota of 4 active bookings.
    instrument.max_active_bookings = 10
    instrument.save(update_fields=["max_active_bookings"])
    for hour in ("08:30", "09:30", "10:30", "14:00", "15:00", "16:00"):
        services.request_booking(
            startup, instrument, at(day, hour), at(day, hour) + dt.timedelta(hours=1)
        )
    client.force_login(manager)
    # One more than before each: the overdue holds to expire on read.
    # + the header's unread-notices badge (issue 15)
    with django_assert_max_num_queries(9):
        assert client.get("/bookings/queue/").status_code == 200
    client.force_login(startup)
    # + the header's unread-notices badge (issue 15)
    with django_assert_max_num_queries(8):
        assert client.get("/bookings/").status_code == 200


def test_notifications_page_shows_the_users_notices_and_marks_them_read(client, booking_world):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    client.force_login(startup)
    html = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "预约已通过审核，请付款" in html
    assert f'href="/bookings/{booking.pk}/"' in html
    assert ">新<" in html
    html = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">新<" not in html
    client.force_login(UserFactory())
    assert "预约已通过审核" not in client.get("/notifications/").content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"start": "garbage", "end": "also"},
        {"start": "2026-12-07T09:00:00", "end": "2026-12-07T10:00:00"},
        {},
    ],
)
def test_a_malformed_or_naive_slot_is_explained_and_nothing_is_booked(
    client, booking_world, params
):
    instrument, startup, _manager, _day = booking_world
    client.force_login(startup)
    response = client.post(
        f"/instruments/{instrument.code}/book/", params, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "请选择有效的时段" in response.content.decode()
    assert not Booking.objects.exists()


def test_detail_and_notification_page_query_counts_are_pinned(
    client, booking_world, django_assert_max_num_queries
):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    services.pay(booking, startup, "offline", return_url="http://testserver/")
    services.confirm_offline_payment(booking, manager, "REF-1")
    client.force_login(startup)
    # + the header's unread-notices badge (issue 15)
    with django_assert_max_num_queries(10):
        assert client.get(f"/bookings/{booking.pk}/").status_code == 200
    # session, user, count, page, two permission lookups of the Wagtail user bar, mark read
    # + the header's unread-notices badge (issue 15)
    with django_assert_max_num_queries(8):
        assert client.get("/notifications/").status_code == 200
