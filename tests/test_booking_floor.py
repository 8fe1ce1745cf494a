"""An institution's whole floor: a week of free machine time for every instrument, for the
institution's members and moderators — the same free slots the single-instrument availability
shows, in a fixed number of queries however many instruments there are."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.accounts.permissions import MODERATORS_GROUP
from marketplace.bookings import services
from marketplace.bookings.models import ACTIVE_STATUSES, Booking, Status
from marketplace.catalogue.availability import free_intervals, free_intervals_of_many
from marketplace.catalogue.models import Blackout, Instrument
from tests.booking_fixtures import SHANGHAI, at
from tests.factories import (
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    OpeningIntervalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# The queries of one floor, whatever its size: the institution, the caller's memberships, the
# instruments, their opening hours, their blackouts, their active bookings.
FLOOR_QUERIES = 6


def next_monday() -> dt.date:
    """A Monday 7–13 days ahead: clear of minimum notice, inside every advance window here."""
    day = timezone.localdate() + dt.timedelta(days=7)
    return day - dt.timedelta(days=day.weekday())


def week_params(monday: dt.date) -> dict:
    return {"start": monday.isoformat(), "end": (monday + dt.timedelta(days=6)).isoformat()}


def add_instruments(institution, count: int, *, start: int = 0) -> list:
    instruments = []
    for n in range(start, start + count):
        instrument = InstrumentFactory(
            institution=institution, code=f"{institution.code}-I{n:03d}", slot_minutes=30
        )
        for weekday in range(5):
            OpeningIntervalFactory(
                instrument=instrument, weekday=weekday, start=dt.time(9, 0), end=dt.time(17, 0)
            )
        instruments.append(instrument)
    return instruments


# Booking profiles an institution's instruments may share or not: zone, slot, notice, advance
# window, opening hours (overlapping windows, nights, a Sunday, hours off the slot grid).
ZONES = ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]
HOURS = [
    [(d, "08:30", "12:00") for d in range(6)] + [(d, "14:00", "17:30") for d in range(5)],
    [(d, "00:00", "23:59") for d in range(7)],
    [(d, "00:00", "07:00") for d in range(7)] + [(d, "22:00", "23:45") for d in range(7)],
    [(0, "09:10", "12:50"), (2, "09:00", "11:00"), (2, "10:00", "13:00"), (6, "01:30", "02:45")],
    [(d, "01:00", "03:30") for d in range(7)],  # New York's clock changes at 02:00 on a Sunday
    [],
]


@pytest.mark.parametrize(
    "now, first, last",
    [
        # New York springs forward on Sunday 2027-03-14; `now` is inside the week, with
        # microseconds, so the minimum notice cuts slots in the middle of a window.
        (dt.datetime(2027, 3, 10, 3, 17, 12, 500_000, tzinfo=dt.UTC), "2027-03-08", "2027-03-14"),
        # New York falls back on Sunday 2027-11-07; a range that is not Monday to Sunday.
        (dt.datetime(2027, 11, 2, 23, 59, tzinfo=dt.UTC), "2027-11-03", "2027-11-09"),
    ],
)
def test_the_shared_week_is_each_instruments_own_availability(now, first, last):
    """The floor computes each booking profile's week once and, per instrument, only where its
    own bookings and blackouts are: for instruments that share profiles or not, in every
    state, the same free slots as each one's own availability, slot for slot."""
    import random

    first, last = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    institution = InstitutionFactory(code="VARY")
    booker = UserFactory()
    rnd = random.Random(17)
    start_of_range = dt.datetime.combine(first, dt.time(0, 0), tzinfo=dt.UTC)
    instruments = []
    for n in range(48):
        instrument = InstrumentFactory(
            institution=institution,
            code=f"VARY-{n:02d}",
            slot_minutes=[30, 45, 60, 15][n // 12],  # every profile 2-3 times over
            min_notice_hours=[0, 30][n % 2],
            max_advance_days=[60, 4][(n // 2) % 2],
            status="under_maintenance" if n == 40 else "in_service",
            offers_machine_time=n != 41,
        )
        Instrument.objects.filter(pk=instrument.pk).update(timezone=ZONES[n % 5])
        for weekday, opens, closes in HOURS[n % 6]:
            OpeningIntervalFactory(
                instrument=instrument,
                weekday=weekday,
                start=dt.time.fromisoformat(opens),
                end=dt.time.fromisoformat(closes),
            )
        active: list[tuple[dt.datetime, dt.datetime]] = []
        for _ in range(rnd.choice([0, 0, 1, 3, 6])):  # some instruments have nothing booked
            begins = start_of_range + dt.timedelta(
                minutes=rnd.randrange(-600, 8 * 24 * 60, 5), seconds=rnd.choice([0, 0, 17])
            )
            ends = begins + dt.timedelta(minutes=rnd.choice([15, 30, 100, 240, 1500]))
            status = rnd.choice(list(Status))
            if status in ACTIVE_STATUSES:
                if any(begins < end and ends > start for start, end in active):
                    status = Status.CANCELLED  # active bookings never overlap (PostgreSQL)
                else:
                    active.append((begins, ends))
            expired = rnd.choice([True, False])
            Booking.objects.create(
                instrument=instrument,
                user=booker,
                start=begins,
                end=ends,
                status=status,
                price=0,
                hold_expires_at=timezone.now() + dt.timedelta(hours=-1 if expired else 1)
                if status in (Status.PENDING_APPROVAL, Status.AWAITING_PAYMENT)
                else None,
            )
        for _ in range(rnd.choice([0, 0, 0, 1, 2])):  # blackouts, some across midnight
            begins = start_of_range + dt.timedelta(minutes=rnd.randrange(-600, 8 * 24 * 60, 7))
            Blackout.objects.create(
                instrument=instrument,
                starts_at=begins,
                ends_at=begins + dt.timedelta(minutes=rnd.choice([1, 200, 1440, 3000])),
            )
        instruments.append(Instrument.objects.get(pk=instrument.pk))
    shared = free_intervals_of_many(instruments, first, last, now=now)
    own = {i.pk: free_intervals(i, first, last, now=now) for i in instruments}
    assert shared == own
    # Not a vacuous comparison: most instruments have slots, and instruments of one profile
    # differ where their own bookings do.
    assert sum(1 for free in own.values() if free) >= 30
    assert len({tuple(free) for free in own.values()}) >= 30
    assert shared[instruments[40].pk] == shared[instruments[41].pk] == []


@pytest.fixture
def floor(booking_world):
    """booking_world's institution with more instruments, each differently busy: a booking,
    an expired hold, a blackout across midnight, weekend hours, an instrument out of service,
    one without machine time, one unpublished; and a rival institution's busy instrument."""
    sem, startup, manager, _day = booking_world
    institution = sem.institution
    monday = next_monday()
    tuesday, saturday = monday + dt.timedelta(days=1), monday + dt.timedelta(days=5)
    services.request_booking(startup, sem, at(tuesday, "09:00"), at(tuesday, "11:00"))
    expired = services.request_booking(startup, sem, at(tuesday, "15:00"), at(tuesday, "16:00"))
    Booking.objects.filter(pk=expired.pk).update(hold_expires_at=timezone.now())
    xrd, ftir, old, samples, draft = add_instruments(institution, 5)
    Blackout.objects.create(
        instrument=xrd,
        starts_at=at(monday, "16:00"),
        ends_at=at(tuesday, "10:30"),
        reason="年度维护",
    )
    OpeningIntervalFactory(
        instrument=ftir, weekday=5, start=dt.time(10, 0), end=dt.time(12, 45)
    )  # 12:45 is not on a 30-minute boundary from 10:00: the last quarter hour is not a slot
    Instrument.objects.filter(pk=old.pk).update(status="under_maintenance")
    Instrument.objects.filter(pk=samples.pk).update(offers_machine_time=False)
    Instrument.objects.filter(pk=draft.pk).update(live=False)
    rival = add_instruments(InstitutionFactory(code="RIVAL"), 1)[0]
    Booking.objects.create(
        instrument=rival,
        user=startup,
        start=at(monday, "09:00"),
        end=at(monday, "17:00"),
        status=Status.CONFIRMED,
        price=0,
    )
    return {
        "institution": institution,
        "manager": manager,
        "startup": startup,
        "monday": monday,
        "saturday": saturday,
        "codes": [sem.code, xrd.code, ftir.code, old.code, samples.code, draft.code],
    }


def test_every_instrument_shows_the_free_slots_its_own_availability_shows(api_client, floor):
    api_client.force_authenticate(floor["manager"])
    params = week_params(floor["monday"])
    answer = api_client.get(
        "/api/v1/institutions/YLU/availability/", params, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["institution"] == {"code": "YLU", "name": "云岭理工大学"}
    assert (body["start"], body["end"]) == (params["start"], params["end"])
    rows = {row["code"]: row for row in body["instruments"]}
    assert sorted(rows) == sorted(floor["codes"])  # the rival's instrument is not on this floor
    for code in floor["codes"]:
        single = api_client.get(f"/api/v1/instruments/{code}/availability/", params)
        if code.endswith("I004"):  # the unpublished one: no public availability, same arithmetic
            assert single.status_code == 404
            instrument = Instrument.objects.get(code=code)
            expected = [
                {"start": i.start.isoformat(), "end": i.end.isoformat()}
                for i in free_intervals(instrument, floor["monday"], floor["saturday"])
            ]
            assert rows[code]["published"] is False
        else:
            expected = single.json()["free"]
            assert rows[code]["slot_minutes"] == single.json()["slot_minutes"]
        assert rows[code]["free"] == expected, code
        assert rows[code]["free_minutes"] == sum(
            (dt.datetime.fromisoformat(i["end"]) - dt.datetime.fromisoformat(i["start"])).seconds
            // 60
            for i in expected
        )
    # What a manager sees in those slots: the booking and the blackout are taken out, the
    # expired hold is free again, the out-of-service and sample-only instruments have none.
    tuesday = (floor["monday"] + dt.timedelta(days=1)).isoformat()
    sem_tuesday = [i for i in rows["YLU-SEM"]["free"] if i["start"].startswith(tuesday)]
    assert [(i["start"][11:16], i["end"][11:16]) for i in sem_tuesday] == [
        ("08:30", "09:00"),
        ("11:00", "12:00"),
        ("14:00", "17:30"),
    ]
    xrd = rows["YLU-I000"]["free"]
    assert [(i["start"][5:16], i["end"][5:16]) for i in xrd[:2]] == [
        (f"{floor['monday']:%m-%d}T09:00", f"{floor['monday']:%m-%d}T16:00"),
        (f"{tuesday[5:]}T10:30", f"{tuesday[5:]}T17:00"),
    ]
    saturday = floor["saturday"].isoformat()
    assert [(i["start"], i["end"]) for i in rows["YLU-I001"]["free"] if saturday in i["start"]] == [
        (f"{saturday}T10:00:00+08:00", f"{saturday}T12:30:00+08:00")
    ]
    assert rows["YLU-I002"]["free"] == [] and rows["YLU-I002"]["status"] == "under_maintenance"
    assert rows["YLU-I003"]["free"] == [] and rows["YLU-I003"]["offers_machine_time"] is False


def test_the_floor_costs_the_same_queries_for_3_or_60_instruments(api_client, floor):
    api_client.force_authenticate(floor["manager"])
    params = week_params(floor["monday"])
    url = "/api/v1/institutions/YLU/availability/"
    with CaptureQueriesContext(connection) as small:
        assert api_client.get(url, params).status_code == 200
    add_instruments(floor["institution"], 54, start=100)
    for instrument in Instrument.objects.filter(code__startswith="YLU-I1")[:20]:
        Blackout.objects.create(
            instrument=instrument,
            starts_at=at(floor["monday"], "12:00"),
            ends_at=at(floor["monday"], "13:00"),
        )
    fresh = type(floor["manager"]).objects.get(pk=floor["manager"].pk)
    api_client.force_authenticate(fresh)  # a fresh user object: nothing remembered on it
    with CaptureQueriesContext(connection) as large:
        answer = api_client.get(url, params)
    assert answer.status_code == 200
    assert len(answer.json()["instruments"]) == 60
    assert len(small) == len(large) == FLOOR_QUERIES, [q["sql"] for q in large]


def test_members_and_moderators_see_the_floor_others_are_refused(api_client, floor):
    url = "/api/v1/institutions/YLU/availability/"
    assert api_client.get(url).status_code == 401
    api_client.force_authenticate(floor["startup"])
    refused = api_client.get(url)
    assert refused.status_code == 403
    assert "成员" in refused.json()["detail"]
    assert api_client.get("/api/v1/institutions/NOPE/availability/").status_code == 404
    assert api_client.get("/api/v1/institutions/Y%00LU/availability/").status_code == 404
    staff = UserFactory()
    MembershipFactory(user=staff, institution=floor["institution"], role="staff")
    api_client.force_authenticate(staff)
    assert api_client.get(url).status_code == 200
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    api_client.force_authenticate(moderator)
    assert api_client.get(url).status_code == 200
    # A member of another institution is not a member of this one.
    other = UserFactory()
    MembershipFactory(user=other, institution=InstitutionFactory(), role="manager")
    api_client.force_authenticate(other)
    assert api_client.get(url).status_code == 403


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-12-07", "end": "2026-12-14"}, "7"),  # eight days
        ({"start": "2026-12-07"}, "required"),
        ({"start": "2026-12-07", "end": "2026-12-06"}, "before"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "real dates"),
        ({"start": "0001-01-01", "end": "0001-01-02"}, "between"),
    ],
)
def test_a_bad_range_is_a_clear_400(api_client, floor, params, message):
    api_client.force_authenticate(floor["manager"])
    answer = api_client.get(
        "/api/v1/institutions/YLU/availability/", params, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert answer.status_code == 400
    assert message in answer.json()["errors"]["range"][0]


def test_without_dates_the_floor_is_this_week_monday_to_sunday(api_client, floor):
    api_client.force_authenticate(floor["manager"])
    body = api_client.get("/api/v1/institutions/YLU/availability/").json()
    today = timezone.now().astimezone(SHANGHAI).date()
    monday = today - dt.timedelta(days=today.weekday())
    assert (body["start"], body["end"]) == (
        monday.isoformat(),
        (monday + dt.timedelta(days=6)).isoformat(),
    )


def test_the_schema_documents_the_floor(api_client):
    schema = api_client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/institutions/{code}/availability/"]["get"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "404"}
    assert {p["name"] for p in operation["parameters"]} >= {"code", "start", "end"}


def test_the_manager_reads_the_floor_page(client, floor):
    client.force_login(floor["manager"])
    url = "/institutions/YLU/availability/"
    page = client.get(url, week_params(floor["monday"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "private" in page["Cache-Control"]
    html = page.content.decode()
    assert "全部仪器空闲机时" in html
    tuesday = floor["monday"] + dt.timedelta(days=1)
    sem_row = html.split('id="instrument-YLU-SEM"')[1].split("</tr>")[0]
    cells = sem_row.split("<td>")[1:]
    assert cells[1].startswith(
        "08:30–09:00 11:00–12:00 14:00–17:30"
    )  # Tuesday, the booking taken out
    assert cells[5].startswith("—")  # Saturday: closed
    assert 'href="/instruments/YLU-SEM/calendar/"' in sem_row
    assert f'datetime="{tuesday:%Y-%m-%d}"' in html
    assert "不提供机时" in html.split('id="instrument-YLU-I003"')[1].split("</tr>")[0]
    assert "维修维护中" in html.split('id="instrument-YLU-I002"')[1].split("</tr>")[0]
    assert f"start={floor['monday'] + dt.timedelta(weeks=1)}" in html  # the next week's link
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Free machine time of every instrument" in english


def test_the_workspace_links_members_to_their_floor(client, floor):
    client.force_login(floor["manager"])
    html = client.get("/workspace/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert (
        'href="/institutions/YLU/availability/" class="floor-link">云岭理工大学 全部仪器空闲机时'
        in html
    )
    client.force_login(floor["startup"])
    assert "floor-link" not in client.get("/workspace/").content.decode()


def test_the_floor_page_refuses_outsiders_and_sends_visitors_to_sign_in(client, floor):
    url = "/institutions/YLU/availability/"
    assert client.get(url).status_code == 302
    client.force_login(floor["startup"])
    assert client.get(url).status_code == 403
    assert client.get("/institutions/NOPE/availability/").status_code == 404
    client.force_login(floor["manager"])
    bad = client.get(url, {"start": "2026-12-07", "end": "2026-12-30"})
    assert bad.status_code == 400
    assert 'id="floor-error"' in bad.content.decode()


# The floor page's row as bookings/floor.html wrote it through the template engine before the
# view wrote the rows itself (issue 17): the page must not have changed.
TEMPLATE_ROW = (
    '{% load i18n %}<tr id="instrument-{{ row.instrument.code }}"><th scope="row"><a href="'
    "{% url 'bookings:calendar' row.instrument.code %}\">{{ row.instrument.name }}</a> "
    '<span class="meta">{{ row.instrument.code }}</span>{% if not row.instrument.offers_machine_time %}'
    ' <span class="meta">{% translate "不提供机时" %}</span>{% elif row.instrument.status != "in_service" %}'
    ' <span class="meta">{{ row.instrument.status_label }}</span>{% endif %}</th>'
    "{% for cell in row.cells %}<td>{{ cell }}</td>{% endfor %}<td>{{ row.hours }}</td></tr>"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_floor_pages_rows_are_what_the_template_wrote(client, floor, language):
    from django.template import Context, Template
    from django.utils import translation

    from marketplace.bookings import floor as floor_service
    from marketplace.bookings.views import _floor_cells

    Instrument.objects.filter(code=floor["codes"][1]).update(name='X 射线 <衍射> & "仪"')
    client.force_login(floor["manager"])
    html = client.get(
        "/institutions/YLU/availability/",
        week_params(floor["monday"]),
        HTTP_ACCEPT_LANGUAGE=language,
    ).content.decode()
    first, last = floor["monday"], floor["monday"] + dt.timedelta(days=6)
    days = [first + dt.timedelta(days=n) for n in range(7)]
    template = Template(TEMPLATE_ROW)
    with translation.override(language), timezone.override(SHANGHAI):
        expected = [
            template.render(
                Context(
                    {
                        "row": {
                            "instrument": row.instrument,
                            "cells": _floor_cells(row, days),
                            "hours": round(row.free_minutes / 60, 1),
                        }
                    }
                )
            )
            for row in floor_service.floor_availability(floor["manager"], "YLU", first, last).rows
        ]
    shown = [line.strip() for line in html.splitlines() if line.strip().startswith("<tr id=")]
    assert len(shown) == 6
    assert shown == expected
    assert "&lt;衍射&gt; &amp; &quot;仪&quot;" in html
