"""Bookings: every rule refused with its own 400, every transition allowed or 409, refunds at
tier boundaries, expiry without a scheduler, and nobody sees a booking that is not theirs."""

import datetime as dt
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from marketplace.bookings import services
from marketplace.bookings.models import Booking, Status
from marketplace.catalogue.availability import free_intervals
from marketplace.catalogue.models import Blackout
from marketplace.notifications.models import Notification
from marketplace.payments.models import Payment
from tests.booking_fixtures import at, next_weekday
from tests.factories import (
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def api(client, user):
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def book(api_client, instrument, start, end, purpose="表面形貌观察"):
    return api_client.post(
        "/api/v1/bookings/",
        {
            "instrument": instrument.code,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "purpose": purpose,
        },
        format="json",
    )


def test_a_valid_request_is_pending_approval_with_the_external_price(
    api_client, booking_world, django_capture_on_commit_callbacks
):
    instrument, startup, _manager, day = booking_world
    with django_capture_on_commit_callbacks(execute=True):
        response = book(api(api_client, startup), instrument, at(day, "09:00"), at(day, "11:00"))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending_approval"
    assert body["price"] == {"amount": "900.00", "currency": "CNY"}
    assert body["start"] == at(day, "09:00").isoformat()
    booking = Booking.objects.get()
    assert booking.transitions.get().to_status == "pending_approval"
    # The institution hears about it, in the site and by email.
    assert Notification.objects.filter(user__username="manager").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lab@ylu.example"]
    assert "扫描电镜" in mail.outbox[0].subject


def test_members_of_the_owning_institution_pay_the_internal_rate(api_client, booking_world):
    instrument, _startup, manager, day = booking_world
    response = book(api(api_client, manager), instrument, at(day, "09:00"), at(day, "10:30"))
    assert response.json()["price"] == {"amount": "390.00", "currency": "CNY"}
    assert response.json()["internal_rate"] is True


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ("12:30", "13:30", "outside_opening_hours"),
        ("11:00", "12:30", "outside_opening_hours"),  # runs into the lunch break
        ("09:15", "10:15", "slot_boundary"),
        ("09:00", "09:30", "too_short"),
        ("08:30", "12:00", "too_long"),  # 210 > 240? no: see the rules below
        ("10:00", "09:00", "end_before_start"),
    ],
)
def test_each_broken_rule_is_its_own_400(api_client, booking_world, start, end, code):
    instrument, startup, _manager, day = booking_world
    if code == "too_long":
        instrument.max_minutes = 120
        instrument.save()
    response = book(api(api_client, startup), instrument, at(day, start), at(day, end))
    assert response.status_code == 400
    assert response.json()["code"] == code
    message = response.json()["errors"]["non_field_errors"][0]
    # One language at a time: the site default (Chinese) unless the reader asks otherwise.
    assert re.search(r"[\u4e00-\u9fff]", message) and " / " not in message
    assert not Booking.objects.exists()


def test_a_refusal_answers_in_the_language_the_api_client_asks_for(api_client, booking_world):
    instrument, startup, _manager, day = booking_world
    client = api(api_client, startup)
    response = client.post(
        "/api/v1/bookings/",
        {
            "instrument": instrument.code,
            "start": at(day, "10:00").isoformat(),
            "end": at(day, "09:00").isoformat(),
            "purpose": "表面形貌观察",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    message = response.json()["errors"]["non_field_errors"][0]
    assert message == "End must be after start"
    assert not Booking.objects.exists()


def test_minimum_notice_advance_window_and_the_past(api_client, booking_world):
    instrument, startup, _manager, _day = booking_world
    client = api(api_client, startup)
    soon = next_weekday(timezone.localdate().weekday(), days_ahead=0)
    response = book(
        client,
        instrument,
        at(soon, "09:00") - dt.timedelta(days=7),
        at(soon, "10:00") - dt.timedelta(days=7),
    )
    assert response.json()["code"] == "in_the_past"
    far = next_weekday(2, days_ahead=40)
    assert (
        book(client, instrument, at(far, "09:00"), at(far, "10:00")).json()["code"]
        == "advance_window"
    )
    now = timezone.now().astimezone(SHANGHAI)
    tomorrow_early = (now + dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    response = book(client, instrument, tomorrow_early, tomorrow_early + dt.timedelta(hours=1))
    assert response.status_code == 400
    assert response.json()["code"] in {"min_notice", "outside_opening_hours"}


def test_naive_datetimes_are_refused(api_client, booking_world):
    instrument, startup, _manager, day = booking_world
    response = api(api_client, startup).post(
        "/api/v1/bookings/",
        {"instrument": instrument.code, "start": f"{day}T09:00:00", "end": f"{day}T10:00:00"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["start"] == ["时间须带时区偏移（例如 +08:00）"]


def test_times_in_other_offsets_are_converted(api_client, booking_world):
    instrument, startup, _manager, day = booking_world
    utc = dt.UTC
    # 01:00–03:00 UTC is 09:00–11:00 in Shanghai.
    response = book(
        api(api_client, startup), instrument, at(day, "01:00", utc), at(day, "03:00", utc)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["start"] == at(day, "09:00").isoformat()


def test_a_training_requirement_bars_untrained_users(api_client, booking_world):
    instrument, startup, _manager, day = booking_world
    instrument.training_required = True
    instrument.save()
    assert (
        book(api(api_client, startup), instrument, at(day, "09:00"), at(day, "10:00")).json()[
            "code"
        ]
        == "training_required"
    )


def test_an_instrument_under_maintenance_takes_no_bookings(api_client, booking_world):
    instrument, startup, _manager, day = booking_world
    instrument.status = "under_maintenance"
    instrument.save()
    assert (
        book(api(api_client, startup), instrument, at(day, "09:00"), at(day, "10:00")).json()[
            "code"
        ]
        == "not_in_service"
    )


def test_overlap_and_blackout_are_409(api_client, booking_world):
    instrument, startup, _manager, day = booking_world
    client = api(api_client, startup)
    assert book(client, instrument, at(day, "09:00"), at(day, "11:00")).status_code == 201
    response = book(client, instrument, at(day, "10:00"), at(day, "11:30"))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    Blackout.objects.create(
        instrument=instrument, starts_at=at(day, "14:00"), ends_at=at(day, "16:00")
    )
    response = book(client, instrument, at(day, "15:00"), at(day, "16:00"))
    assert response.status_code == 409
    assert response.json()["code"] == "blackout"
    # Adjacent is fine: [11:00, 12:00) touches [09:00, 11:00) without overlapping.
    assert book(client, instrument, at(day, "11:00"), at(day, "12:00")).status_code == 201


def walk_to_confirmed(client_factory, instrument, startup, manager, day):
    booking = services.request_booking(
        startup, instrument, at(day, "09:00"), at(day, "11:00"), "测试"
    )
    services.approve(booking, manager)
    services.pay(booking, startup, "offline", return_url="http://testserver/")
    return services.confirm_offline_payment(booking, manager, "BANK-20261207-001")


def test_approve_pay_offline_confirm_complete(api_client, booking_world):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(
        startup, instrument, at(day, "09:00"), at(day, "11:00"), "测试"
    )
    manager_client = api(api_client, manager)
    response = manager_client.post(f"/api/v1/bookings/{booking.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_payment"
    from rest_framework.test import APIClient

    startup_client = api(APIClient(), startup)
    response = startup_client.post(
        f"/api/v1/bookings/{booking.pk}/pay/", {"method": "offline"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "awaiting_payment"
    assert response.json()["amount"] == {"amount": "900.00", "currency": "CNY"}
    response = manager_client.post(
        f"/api/v1/bookings/{booking.pk}/confirm-offline-payment/",
        {"reference": "BANK-001"},
        format="json",
    )
    assert response.json()["status"] == "confirmed"
    payment = Payment.objects.get(booking=booking)
    assert (payment.status, payment.amount, payment.reference) == (
        "succeeded",
        Decimal("900.00"),
        "BANK-001",
    )
    booking.refresh_from_db()
    booking.start = timezone.now() - dt.timedelta(hours=3)
    booking.end = timezone.now() - dt.timedelta(hours=1)
    booking.save()
    response = manager_client.post(
        f"/api/v1/bookings/{booking.pk}/complete/", {"actual_minutes": 110}, format="json"
    )
    assert response.json()["status"] == "completed"
    assert response.json()["actual_minutes"] == 110
    assert [t["to_status"] for t in response.json()["transitions"]] == [
        "pending_approval",
        "awaiting_payment",
        "confirmed",
        "completed",
    ]


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("approve", {}),
        ("reject", {"reason": "x"}),
        ("confirm-offline-payment", {"reference": "x"}),
        ("complete", {"actual_minutes": 5}),
    ],
)
def test_refused_transitions_are_409(api_client, booking_world, action, data):
    instrument, startup, manager, day = booking_world
    booking = walk_to_confirmed(None, instrument, startup, manager, day)
    booking.status = Status.CANCELLED
    booking.save()
    response = api(api_client, manager).post(
        f"/api/v1/bookings/{booking.pk}/{action}/", data, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"


def test_the_booker_cannot_approve_their_own_request(api_client, booking_world):
    instrument, startup, _manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    assert (
        api(api_client, startup).post(f"/api/v1/bookings/{booking.pk}/approve/").status_code == 403
    )


def test_reject_needs_a_reason(api_client, booking_world):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    client = api(api_client, manager)
    assert (
        client.post(f"/api/v1/bookings/{booking.pk}/reject/", {}, format="json").status_code == 400
    )
    response = client.post(
        f"/api/v1/bookings/{booking.pk}/reject/", {"reason": "设备检修"}, format="json"
    )
    assert response.json()["status"] == "rejected"
    assert response.json()["reject_reason"] == "设备检修"


@pytest.mark.parametrize(
    ("before", "percent"),
    [
        (dt.timedelta(hours=48), 100),
        (dt.timedelta(hours=48) - dt.timedelta(seconds=1), 50),
        (dt.timedelta(hours=24), 50),
        (dt.timedelta(hours=24) - dt.timedelta(seconds=1), 0),
    ],
)
def test_refund_follows_the_tier_at_the_moment_of_cancelling(booking_world, before, percent):
    instrument, startup, manager, day = booking_world
    booking = walk_to_confirmed(None, instrument, startup, manager, day)
    _booking, refund = services.cancel(booking, startup, now=booking.start - before)
    assert refund == (Decimal("900.00") * percent / 100).quantize(Decimal("0.01"))
    assert isinstance(refund, Decimal)
    booking.refresh_from_db()
    assert booking.status == "cancelled"
    if percent:
        assert Payment.objects.get(booking=booking, kind="refund").amount == refund


def test_cancel_via_the_api_reports_the_refund(api_client, booking_world):
    instrument, startup, manager, day = booking_world
    booking = walk_to_confirmed(None, instrument, startup, manager, day)
    response = api(api_client, startup).post(f"/api/v1/bookings/{booking.pk}/cancel/")
    assert response.status_code == 200
    assert response.json()["booking"]["status"] == "cancelled"
    assert response.json()["refund"]["currency"] == "CNY"


def test_an_overdue_hold_is_free_for_availability_and_for_a_new_request(booking_world):
    instrument, startup, _manager, day = booking_world
    other = UserFactory()
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    now = timezone.now()
    taken = free_intervals(instrument, day, day, now=now)
    assert at(day, "09:00") not in [i.start for i in taken]
    Booking.objects.filter(pk=booking.pk).update(hold_expires_at=now - dt.timedelta(minutes=1))
    free = free_intervals(instrument, day, day, now=now)
    assert (at(day, "08:30"), at(day, "12:00")) in [(i.start, i.end) for i in free]
    # No scheduler ran: the new request expires the overdue hold inside its own transaction.
    services.request_booking(other, instrument, at(day, "09:00"), at(day, "10:00"))
    booking.refresh_from_db()
    assert booking.status == "expired"


def test_the_expiry_command_does_the_bookkeeping(booking_world):
    instrument, startup, _manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    call_command("expire_bookings")
    booking.refresh_from_db()
    assert booking.status == "expired"
    assert booking.transitions.last().to_status == "expired"


def test_strangers_and_other_institutions_get_404_on_every_booking_endpoint(
    api_client, booking_world
):
    instrument, startup, _manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    stranger = UserFactory()
    other_member = UserFactory()
    MembershipFactory(user=other_member, institution=InstitutionFactory(), role="manager")
    for user in (stranger, other_member):
        from rest_framework.test import APIClient

        client = api(APIClient(), user)
        assert client.get(f"/api/v1/bookings/{booking.pk}/").status_code == 404
        assert client.get("/api/v1/bookings/").json()["count"] == 0
        for action in (
            "approve",
            "reject",
            "pay",
            "confirm-offline-payment",
            "cancel",
            "complete",
            "no-show",
        ):
            response = client.post(
                f"/api/v1/bookings/{booking.pk}/{action}/",
                {"reason": "x", "reference": "x", "actual_minutes": 1, "method": "offline"},
                format="json",
            )
            assert response.status_code == 404, action
    booking.refresh_from_db()
    assert booking.status == "pending_approval"


def test_the_booking_list_query_count_is_pinned(
    api_client, booking_world, django_assert_num_queries
):
    instrument, startup, _manager, day = booking_world
    for hour in ("08:30", "14:00"):
        services.request_booking(
            startup, instrument, at(day, hour), at(day, hour) + dt.timedelta(hours=1)
        )
    client = api(api_client, startup)
    # token, moderator check (moderators read every booking), memberships, overdue holds to
    # expire on read, count, page
    with django_assert_num_queries(6):
        response = client.get("/api/v1/bookings/")
    assert response.json()["count"] == 2


def test_the_calendar_feed_lists_the_users_bookings(client, booking_world):
    instrument, startup, _manager, day = booking_world
    services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    text = client.get(
        f"/api/v1/bookings/calendar.ics?token={startup.calendar_token}"
    ).content.decode()
    assert text.count("BEGIN:VEVENT") == 1
    assert f"DTSTART:{at(day, '09:00').astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in text
    assert "扫描电镜" in text


def test_the_instrument_feed_is_for_its_institutions_members_only(client, booking_world):
    instrument, startup, manager, day = booking_world
    services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    url = f"/api/v1/instruments/{instrument.code}/calendar.ics"
    feed = client.get(url, {"token": manager.calendar_token})
    assert feed.status_code == 200
    assert feed.content.decode().count("BEGIN:VEVENT") == 1
    assert "founder" in feed.content.decode()
    assert client.get(url, {"token": startup.calendar_token}).status_code == 404
    assert client.get(url, {"token": "nonsense"}).status_code == 404


def test_active_bookings_are_cut_out_of_the_free_time(booking_world):
    instrument, startup, _manager, day = booking_world
    services.request_booking(startup, instrument, at(day, "08:30"), at(day, "09:30"))
    services.request_booking(startup, instrument, at(day, "10:30"), at(day, "11:30"))
    services.request_booking(startup, instrument, at(day, "14:00"), at(day, "15:00"))
    free = free_intervals(instrument, day, day)
    assert [(i.start, i.end) for i in free] == [
        (at(day, "09:30"), at(day, "10:30")),
        (at(day, "11:30"), at(day, "12:00")),
        (at(day, "15:00"), at(day, "17:30")),
    ]


def test_a_mail_server_that_is_down_delays_mail_but_never_fails_a_transition(
    booking_world, settings, django_capture_on_commit_callbacks
):
    instrument, startup, manager, day = booking_world
    settings.EMAIL_BACKEND = "tests.booking_fixtures.BrokenEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    assert booking.status == "pending_approval"
    notice = Notification.objects.get(user=manager)
    assert notice.emailed_at is None and notice.email_attempts == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("expire_bookings")
    call_command("expire_bookings")
    assert [m.to for m in mail.outbox] == [["lab@ylu.example"]]
    notice.refresh_from_db()
    assert notice.emailed_at is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "instrument": "NOPE",
                "start": "2027-01-06T09:00:00+08:00",
                "end": "2027-01-06T10:00:00+08:00",
            },
            "instrument",
        ),
        (
            {"instrument": "YLU-SEM", "start": "not a time", "end": "2027-01-06T10:00:00+08:00"},
            "start",
        ),
        ({"instrument": "YLU-SEM", "start": "2027-01-06T09:00:00+08:00"}, "end"),
    ],
)
def test_bad_booking_requests_are_400_and_write_nothing(api_client, booking_world, body, field):
    _instrument, startup, _manager, _day = booking_world
    response = api(api_client, startup).post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Booking.objects.exists()
