"""The booking form: start and duration are one choice, the page shows the price and refund
deadlines of what is chosen (计算 asks the server; book.js does it in the browser), and what
is submitted is what was shown — the reported bug booked 60 minutes when 120 were chosen."""

import datetime as dt
from decimal import Decimal

import pytest

from marketplace.bookings import services
from marketplace.bookings.models import Booking
from tests.booking_fixtures import at

pytestmark = pytest.mark.django_db


def _url(instrument):
    return f"/instruments/{instrument.code}/book/"


def test_the_form_offers_every_free_start_of_the_day_and_every_duration(client, booking_world):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    html = client.get(
        _url(instrument),
        {"start": at(day, "08:30").isoformat(), "end": at(day, "09:30").isoformat()},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    for hhmm in ("08:30", "09:00", "11:00", "14:00", "16:30"):
        assert f'value="{at(day, hhmm).isoformat()}"' in html, hhmm
    # 11:30 leaves only 30 free minutes before the lunch break: shorter than the 60 minimum.
    assert f'value="{at(day, "11:30").isoformat()}"' not in html
    for minutes in (60, 90, 120, 240):
        assert f'<option value="{minutes}"' in html
    assert "¥450.00 CNY" in html
    assert 'src="/static/bookings/book.js"' in html


def test_submitting_a_non_default_start_and_duration_books_exactly_that(client, booking_world):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    response = client.post(
        _url(instrument),
        {
            "start": at(day, "10:00").isoformat(),
            "minutes": "120",
            "purpose": "XRD 物相分析",
            "step": "book",
        },
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert (booking.start, booking.end) == (at(day, "10:00"), at(day, "12:00"))
    assert booking.price == Decimal("900.00")
    assert booking.purpose == "XRD 物相分析"


def test_calculate_shows_the_price_and_refund_deadlines_and_books_nothing(client, booking_world):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    response = client.post(
        _url(instrument),
        {"start": at(day, "09:00").isoformat(), "minutes": "150", "step": "preview"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not Booking.objects.exists()
    assert "¥1,125.00 CNY" in html
    assert f'<dd id="summary-end">{day:%Y-%m-%d} 11:30</dd>' in html
    assert '<option value="150" selected>' in html
    before_48h = day - dt.timedelta(days=2)
    before_24h = day - dt.timedelta(days=1)
    assert f'<span class="refund-deadline">{before_48h:%Y-%m-%d} 09:00</span> 前取消退 100%' in html
    assert f'<span class="refund-deadline">{before_24h:%Y-%m-%d} 09:00</span> 前取消退 50%' in html


def test_the_english_page_shows_the_same_choice_in_english(client, booking_world):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    html = client.post(
        _url(instrument),
        {"start": at(day, "09:00").isoformat(), "minutes": "90", "step": "preview"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "90 min" in html
    assert "Calculate" in html
    assert "¥675.00 CNY" in html


def test_a_duration_longer_than_the_free_time_is_explained_and_not_booked(client, booking_world):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    response = client.post(
        _url(instrument),
        {"start": at(day, "11:00").isoformat(), "minutes": "120", "step": "book"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "所选时长超出该时段的空闲时间" in response.content.decode()
    assert not Booking.objects.exists()


def test_a_start_already_taken_is_explained_and_not_booked(client, booking_world):
    instrument, startup, manager, day = booking_world
    services.request_booking(manager, instrument, at(day, "09:00"), at(day, "10:00"))
    client.force_login(startup)
    page = client.get(
        _url(instrument), {"start": at(day, "08:30").isoformat()}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    # From 08:30 only 30 minutes are free: no start there; 10:00 is free again.
    assert f'value="{at(day, "10:00").isoformat()}"' in page
    response = client.post(
        _url(instrument),
        {"start": at(day, "09:30").isoformat(), "minutes": "60", "step": "book"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "所选开始时间已不可预约" in response.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.parametrize("minutes", ["abc", "-60", "0", "99999999999999999999", "45"])
def test_nonsense_durations_are_refused_with_a_message(client, booking_world, minutes):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    response = client.post(
        _url(instrument),
        {"start": at(day, "09:00").isoformat(), "minutes": minutes, "step": "book"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Booking.objects.exists()
