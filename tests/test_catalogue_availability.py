"""Availability: opening hours minus blackouts, notice and advance windows, on slot boundaries."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from marketplace.catalogue.availability import (
    AvailabilityRangeError,
    free_intervals,
    parse_range,
)
from marketplace.catalogue.models import Blackout
from tests.factories import BookingFactory, InstrumentFactory, OpeningIntervalFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 12, 7)
# "now" a week before, so minimum notice and advance window do not interfere unless asked.
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=SHANGHAI)


def at(day: dt.date, hhmm: str) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=SHANGHAI)


def spans(intervals):
    return [
        (
            i.start.astimezone(SHANGHAI).strftime("%m-%d %H:%M"),
            i.end.astimezone(SHANGHAI).strftime("%m-%d %H:%M"),
        )
        for i in intervals
    ]


@pytest.fixture
def instrument():
    instrument = InstrumentFactory(slot_minutes=30, min_notice_hours=0, max_advance_days=60)
    OpeningIntervalFactory(
        instrument=instrument, weekday=0, start=dt.time(8, 30), end=dt.time(12, 0)
    )
    OpeningIntervalFactory(
        instrument=instrument, weekday=0, start=dt.time(14, 0), end=dt.time(17, 30)
    )
    return instrument


def test_opening_hours_with_a_lunch_break(instrument):
    free = free_intervals(instrument, MONDAY, MONDAY, now=NOW)
    assert spans(free) == [("12-07 08:30", "12-07 12:00"), ("12-07 14:00", "12-07 17:30")]
    assert all(i.start.utcoffset() == dt.timedelta(hours=8) for i in free)


def test_days_without_opening_hours_are_closed(instrument):
    assert (
        free_intervals(
            instrument, MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=6), now=NOW
        )
        == []
    )


def test_a_blackout_across_midnight_closes_both_days(instrument):
    OpeningIntervalFactory(instrument=instrument, weekday=1, start=dt.time(0, 0), end=dt.time(9, 0))
    Blackout.objects.create(
        instrument=instrument,
        starts_at=at(MONDAY, "16:00"),
        ends_at=at(MONDAY + dt.timedelta(days=1), "02:00"),
    )
    free = free_intervals(instrument, MONDAY, MONDAY + dt.timedelta(days=1), now=NOW)
    assert spans(free) == [
        ("12-07 08:30", "12-07 12:00"),
        ("12-07 14:00", "12-07 16:00"),
        ("12-08 02:00", "12-08 09:00"),
    ]


def test_free_pieces_are_trimmed_to_slot_boundaries(instrument):
    instrument.slot_minutes = 15
    instrument.save()
    Blackout.objects.create(
        instrument=instrument, starts_at=at(MONDAY, "09:05"), ends_at=at(MONDAY, "10:50")
    )
    free = free_intervals(instrument, MONDAY, MONDAY, now=NOW)
    # 08:30–09:05 keeps 08:30–09:00; 10:50–12:00 starts at the next quarter, 11:00.
    assert spans(free)[:2] == [("12-07 08:30", "12-07 09:00"), ("12-07 11:00", "12-07 12:00")]


def test_a_blackout_given_in_another_offset_is_converted(instrument):
    # 02:00–04:00 UTC is 10:00–12:00 in Shanghai.
    Blackout.objects.create(
        instrument=instrument,
        starts_at=dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC),
        ends_at=dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC),
    )
    # and one in New York's winter offset (-05:00): 01:00–02:00 there is 14:00–15:00 here
    Blackout.objects.create(
        instrument=instrument,
        starts_at=dt.datetime(2026, 12, 7, 1, 0, tzinfo=ZoneInfo("America/New_York")),
        ends_at=dt.datetime(2026, 12, 7, 2, 0, tzinfo=ZoneInfo("America/New_York")),
    )
    free = free_intervals(instrument, MONDAY, MONDAY, now=NOW)
    assert spans(free) == [("12-07 08:30", "12-07 10:00"), ("12-07 15:00", "12-07 17:30")]


def test_the_day_clocks_change_in_new_york_is_an_ordinary_day_here(instrument):
    # 2026-11-02 was a Monday, the day after US clocks went back; Shanghai has no DST.
    day = dt.date(2026, 11, 2)
    now = dt.datetime(2026, 10, 26, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    free = free_intervals(instrument, day, day, now=now)
    assert spans(free) == [("11-02 08:30", "11-02 12:00"), ("11-02 14:00", "11-02 17:30")]
    assert [i.minutes for i in free] == [210, 210]


def test_minimum_notice_and_advance_window_close_time(instrument):
    instrument.min_notice_hours = 24
    instrument.max_advance_days = 7
    instrument.save()
    now = at(MONDAY - dt.timedelta(days=1), "10:10")  # Sunday 10:10 → bookable from Monday 10:10
    free = free_intervals(instrument, MONDAY, MONDAY + dt.timedelta(days=14), now=now)
    assert spans(free) == [("12-07 10:30", "12-07 12:00"), ("12-07 14:00", "12-07 17:30")]


def test_an_instrument_out_of_service_has_no_free_time(instrument):
    instrument.status = "under_maintenance"
    instrument.save()
    assert free_intervals(instrument, MONDAY, MONDAY, now=NOW) == []


def test_a_naive_now_is_refused(instrument):
    with pytest.raises(ValueError, match="aware"):
        free_intervals(instrument, MONDAY, MONDAY, now=dt.datetime(2026, 12, 1, 9, 0))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-12-01", "2027-02-01", "62"),
        ("2026-12-05", "2026-12-01", "before"),
        ("2026-02-30", "2026-03-01", "real dates"),
        ("", "2026-03-01", "required"),
    ],
)
def test_bad_ranges_are_refused(start, end, message):
    with translation.override("en"), pytest.raises(AvailabilityRangeError, match=message):
        parse_range(start, end)


def test_62_days_is_allowed():
    assert parse_range("2026-12-01", "2027-01-31") == (dt.date(2026, 12, 1), dt.date(2027, 1, 31))


def test_availability_endpoint_answers_with_shanghai_offsets(
    client, instrument, django_assert_num_queries
):
    # the instrument's booking rules with its opening hours; its blackouts and active bookings
    with django_assert_num_queries(2):
        response = client.get(
            f"/api/v1/instruments/{instrument.code}/availability/",
            {"start": "2027-01-04", "end": "2027-01-10"},
        )
    assert response.status_code == 200
    body = response.json()
    assert body["timezone"] == "Asia/Shanghai"
    assert body["slot_minutes"] == 30
    assert body["free"][0] == {
        "start": "2027-01-04T08:30:00+08:00",
        "end": "2027-01-04T12:00:00+08:00",
    }
    assert len(body["free"]) == 2


def test_availability_query_count_does_not_grow_with_the_range(
    client, instrument, django_assert_num_queries
):
    instrument.max_advance_days = 366
    instrument.save()
    for weekday in range(1, 7):
        OpeningIntervalFactory(instrument=instrument, weekday=weekday)
    for offset in range(10):
        day = dt.date(2027, 1, 4) + dt.timedelta(days=offset)
        Blackout.objects.create(
            instrument=instrument, starts_at=at(day, "10:00"), ends_at=at(day, "11:00")
        )
    with django_assert_num_queries(2):
        response = client.get(
            f"/api/v1/instruments/{instrument.code}/availability/",
            {"start": "2027-01-01", "end": "2027-03-03"},
        )
    assert response.status_code == 200
    assert len(response.json()["free"]) > 60


def test_availability_endpoint_refuses_a_long_range_with_400(client, instrument):
    response = client.get(
        f"/api/v1/instruments/{instrument.code}/availability/",
        {"start": "2027-01-01", "end": "2027-06-01"},
    )
    assert response.status_code == 400
    assert "62" in response.json()["errors"]["range"][0]


def test_availability_of_a_draft_instrument_is_404(client):
    draft = InstrumentFactory(live=False)
    response = client.get(
        f"/api/v1/instruments/{draft.code}/availability/",
        {"start": "2027-01-01", "end": "2027-01-02"},
    )
    assert response.status_code == 404


def _api_free(client, instrument, day):
    response = client.get(
        f"/api/v1/instruments/{instrument.code}/availability/", {"start": day, "end": day}
    )
    assert response.status_code == 200
    return [(i["start"][11:16], i["end"][11:16]) for i in response.json()["free"]]


def test_the_api_takes_out_the_blackouts_and_bookings_that_free_intervals_takes_out(
    client, instrument
):
    # Two instruments alike: the endpoint's statements are compiled once and run for each
    # with its own id, so each shows its own blackouts and bookings and not the other's.
    day = dt.date(2027, 1, 4)  # a Monday
    twin = InstrumentFactory(slot_minutes=30, min_notice_hours=0, max_advance_days=60)
    OpeningIntervalFactory(instrument=twin, weekday=0, start=dt.time(8, 30), end=dt.time(17, 30))
    Blackout.objects.create(
        instrument=instrument, starts_at=at(day, "10:00"), ends_at=at(day, "11:00")
    )
    Blackout.objects.create(instrument=twin, starts_at=at(day, "12:00"), ends_at=at(day, "13:10"))
    future, past = dt.datetime(2030, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    for start, end, status, hold in [
        ("14:00", "15:00", "confirmed", None),
        ("15:00", "16:00", "pending_approval", past),  # the hold ran out: free again
        ("16:00", "16:30", "awaiting_payment", future),
        ("08:30", "09:00", "cancelled", None),
    ]:
        BookingFactory(
            instrument=instrument,
            start=at(day, start),
            end=at(day, end),
            status=status,
            hold_expires_at=hold,
        )
    BookingFactory(
        instrument=twin, start=at(day, "09:00"), end=at(day, "09:30"), status="confirmed"
    )

    assert _api_free(client, instrument, day) == [
        ("08:30", "10:00"),
        ("11:00", "12:00"),
        ("15:00", "16:00"),
        ("16:30", "17:30"),
    ]
    assert _api_free(client, twin, day) == [
        ("08:30", "09:00"),
        ("09:30", "12:00"),
        ("13:30", "17:30"),
    ]
    for each in (instrument, twin):
        assert _api_free(client, each, day) == [
            (i.start.strftime("%H:%M"), i.end.strftime("%H:%M"))
            for i in free_intervals(each, day, day)
        ]


def test_an_instrument_without_machine_time_answers_no_free_time_in_one_query(
    client, instrument, django_assert_num_queries
):
    instrument.offers_machine_time = False
    instrument.save()
    with django_assert_num_queries(1):  # its rules say there is none: nothing else is read
        assert _api_free(client, instrument, dt.date(2027, 1, 4)) == []


def test_an_unpublished_instrument_has_no_public_availability(client, instrument):
    instrument.live = False
    instrument.save()
    response = client.get(
        f"/api/v1/instruments/{instrument.code}/availability/",
        {"start": "2027-01-04", "end": "2027-01-04"},
    )
    assert response.status_code == 404
    assert response.json() == {"detail": "No Instrument matches the given query."}


def test_a_statement_whose_value_is_not_in_its_sql_is_refused_when_compiled(instrument):
    from marketplace.catalogue.models import Instrument
    from marketplace.statements import Statement

    # A value the query does not use would be silently ignored on every run: refused.
    ignoring = Statement(lambda code: Instrument.objects.filter(code="INS-0000"), str)
    with pytest.raises(ValueError, match="not a parameter"):
        ignoring.rows(instrument.code)
    by_code = Statement(lambda code: Instrument.objects.filter(code=code).values_list("pk"), str)
    assert by_code.rows(instrument.code) == [(instrument.pk,)]
    assert by_code.rows("NOPE") == []
