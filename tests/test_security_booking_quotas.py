"""Security finding 7: one account can no longer hoard an instrument's slots.

Per user and instrument: at most `max_active_bookings` active bookings and
`max_hours_per_week` booked hours per ISO week (Asia/Shanghai), platform defaults in settings;
refused with a 400 and the stable codes quota_bookings / quota_hours in the API and the page.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from marketplace.bookings import services
from marketplace.bookings.models import Booking, Status
from marketplace.catalogue.models import Instrument, OpeningInterval
from marketplace.workflow import WorkflowError
from tests.factories import InstitutionFactory, UserFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


def free_instrument(**overrides) -> Instrument:
    """Free machine time, confirmed at once, open 08:00–20:00 every day, bookable a week ahead."""
    values = {
        "code": f"FREE-{time.time_ns()}",
        "institution": InstitutionFactory(),
        "name": "免费共享显微镜",
        "category": "analytical",
        "original_value": Decimal("800000.00"),
        "offers_machine_time": True,
        "price_hourly": Decimal("0.00"),
        "slot_minutes": 60,
        "min_minutes": 60,
        "max_minutes": 240,
        "min_notice_hours": 0,
        "max_advance_days": 7,
        "approval_required": False,
        "live": True,
        **overrides,
    }
    instrument = Instrument.objects.create(**values)
    for weekday in range(7):
        OpeningInterval.objects.create(
            instrument=instrument, weekday=weekday, start=dt.time(0, 0), end=dt.time(23, 0)
        )
    return instrument


def tomorrow_at(hour: int, days: int = 1) -> dt.datetime:
    day = timezone.localdate(timezone.now(), SHANGHAI) + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def next_monday(hour: int) -> dt.datetime:
    today = timezone.localdate(timezone.now(), SHANGHAI)
    monday = today + dt.timedelta(days=7 - today.weekday())
    return dt.datetime.combine(monday, dt.time(hour), tzinfo=SHANGHAI)


def book(client, instrument, start, hours=4):
    return client.post(
        "/api/v1/bookings/",
        {
            "instrument": instrument.code,
            "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=hours)).isoformat(),
        },
        format="json",
    )


@pytest.mark.django_db
def test_thirteen_four_hour_bookings_in_a_row_are_refused_after_the_limit():
    instrument = free_instrument()
    hoarder = UserFactory(username="hoarder")
    client = APIClient()
    client.force_authenticate(hoarder)
    # The run: 13 four-hour slots, 08:00, 12:00, 16:00 on the next days.
    starts = [tomorrow_at(8 + 4 * (i % 3), days=1 + i // 3) for i in range(13)]
    answers = [book(client, instrument, start) for start in starts]
    assert [a.status_code for a in answers] == [201] * 4 + [400] * 9
    assert {a.json()["status"] for a in answers[:4]} == {"confirmed"}
    refusal = answers[4].json()
    assert refusal["code"] == "quota_bookings"
    assert "最多同时持有 4 个" in refusal["errors"]["non_field_errors"][0]
    assert "at most" not in refusal["errors"]["non_field_errors"][0]  # one language
    assert Booking.objects.filter(user=hoarder, status=Status.CONFIRMED).count() == 4
    # Somebody else can still book the instrument.
    other = APIClient()
    other.force_authenticate(UserFactory())
    assert book(other, instrument, starts[4]).status_code == 201


@pytest.mark.django_db
def test_hours_per_iso_week_in_shanghai_time():
    instrument = free_instrument(max_active_bookings=50, max_hours_per_week=8, max_advance_days=21)
    user = UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    monday = next_monday(8)
    assert book(client, instrument, monday).status_code == 201
    assert book(client, instrument, monday + dt.timedelta(days=1), hours=3).status_code == 201
    response = book(client, instrument, monday + dt.timedelta(days=2), hours=2)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "quota_hours"
    assert "每人每周在本仪器上最多预约 8 小时" in body["errors"]["non_field_errors"][0]
    assert "还可预约 1 小时" in body["errors"]["non_field_errors"][0]
    assert book(client, instrument, monday + dt.timedelta(days=2), hours=1).status_code == 201
    # Sunday 19:00–23:00 is still this week; Monday 00:00 Shanghai (Sunday 16:00 UTC) is the
    # next ISO week, with its own 8 hours.
    sunday = monday + dt.timedelta(days=6, hours=11)
    assert book(client, instrument, sunday).json()["code"] == "quota_hours"
    next_week = monday + dt.timedelta(days=7, hours=-8)
    assert next_week.astimezone(dt.UTC).weekday() == 6
    assert book(client, instrument, next_week).status_code == 201


@pytest.mark.django_db
def test_cancelled_rejected_and_expired_bookings_do_not_count():
    instrument = free_instrument(max_active_bookings=1, max_hours_per_week=4)
    user = UserFactory()
    client = APIClient()
    client.force_authenticate(user)
    first = book(client, instrument, tomorrow_at(8)).json()
    assert book(client, instrument, tomorrow_at(14)).json()["code"] == "quota_bookings"
    services.cancel(Booking.objects.get(pk=first["id"]), user)
    second = book(client, instrument, tomorrow_at(14))
    assert second.status_code == 201
    # A hold that ran out counts no more, even before the expiry job has run.
    Booking.objects.filter(pk=second.json()["id"]).update(
        status=Status.AWAITING_PAYMENT, hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert book(client, instrument, tomorrow_at(8, days=2)).status_code == 201


@pytest.mark.django_db
@override_settings(BOOKING_MAX_ACTIVE_PER_USER=2)
def test_the_platform_default_applies_when_the_instrument_sets_none():
    instrument = free_instrument()
    assert instrument.max_active_bookings is None
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert book(client, instrument, tomorrow_at(8)).status_code == 201
    assert book(client, instrument, tomorrow_at(14)).status_code == 201
    assert book(client, instrument, tomorrow_at(8, days=2)).json()["code"] == "quota_bookings"


@pytest.mark.django_db
def test_the_booking_page_shows_the_quota_refusal(client):
    instrument = free_instrument(max_active_bookings=1)
    user = UserFactory()
    client.force_login(user)
    url = f"/instruments/{instrument.code}/book/"
    start = tomorrow_at(8)
    response = client.post(
        url, {"start": start.isoformat(), "end": (start + dt.timedelta(hours=2)).isoformat()}
    )
    assert response.status_code == 302
    start = tomorrow_at(14)
    response = client.post(
        url, {"start": start.isoformat(), "end": (start + dt.timedelta(hours=2)).isoformat()}
    )
    assert response.status_code == 400
    assert "最多同时持有 1 个未完成的预约" in response.content.decode()
    assert Booking.objects.filter(user=user).count() == 1


def _race(instrument_pk: int, user_pk: int, n: int) -> list[str]:
    """n requests by one user for n different slots at once; what each got."""
    from marketplace.accounts.models import User

    results: list[str] = []
    barrier = threading.Barrier(n)
    original_create = Booking.objects.create

    def slow_create(**kwargs):
        time.sleep(0.05)  # widen the window between the quota count and the insert
        return original_create(**kwargs)

    def attempt(i: int) -> None:
        try:
            instrument = Instrument.objects.prefetch_related("opening_hours").get(pk=instrument_pk)
            user = User.objects.get(pk=user_pk)
            barrier.wait(timeout=30)
            services.request_booking(
                user,
                instrument,
                tomorrow_at(i % 20, days=1 + i // 20),
                tomorrow_at(i % 20 + 1, days=1 + i // 20),
            )
            results.append("ok")
        except WorkflowError as exc:
            results.append(exc.code)
        except Exception as exc:  # noqa: BLE001 — reported by the test
            results.append(f"error: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    with mock.patch.object(Booking.objects, "create", side_effect=slow_create):
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_concurrent_requests_by_one_user_never_exceed_the_quota():
    instrument = free_instrument(max_active_bookings=3, max_hours_per_week=168)
    user = UserFactory()
    results = _race(instrument.pk, user.pk, 12)
    assert [r for r in results if r.startswith("error")] == []
    assert results.count("ok") == 3
    assert results.count("quota_bookings") == 9
    assert Booking.objects.filter(user=user).count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_negative_control_without_the_lock_the_quota_races():
    instrument = free_instrument(max_active_bookings=3, max_hours_per_week=168)
    user = UserFactory()
    unlocked = mock.patch.object(
        Instrument.objects, "select_for_update", lambda: Instrument.objects.all()
    )
    with unlocked:
        _race(instrument.pk, user.pk, 12)
    assert Booking.objects.filter(user=user).count() > 3


@pytest.mark.django_db
@override_settings(BOOKING_MAX_HOURS_PER_USER_WEEK=12)
def test_the_quotas_in_force_are_published_on_the_page_and_in_the_api(client):
    instrument = free_instrument(max_active_bookings=2)
    booking = client.get(f"/api/v1/instruments/{instrument.code}/").json()["booking"]
    assert (booking["max_active_bookings"], booking["max_hours_per_week"]) == (2, 12)
    html = client.get(f"/instruments/{instrument.code}/").content.decode()
    assert "每人最多同时持有 2 个未完成的预约，每周（周一至周日）最多预约 12 小时" in html


@pytest.mark.django_db
def test_the_import_format_sets_the_quotas_and_refuses_bad_ones():
    import copy
    import json
    from pathlib import Path

    from django.conf import settings

    from marketplace.catalogue.importer import import_catalogue

    demo = json.loads((Path(settings.BASE_DIR) / "data" / "demo-catalogue.json").read_text())
    record = next(r for r in demo["instruments"] if r.get("booking"))
    record["booking"]["max_active_bookings"] = 3
    record["booking"]["max_hours_per_week"] = 10
    assert import_catalogue(copy.deepcopy(demo)).ok
    instrument = Instrument.objects.get(code=record["code"])
    assert (instrument.max_active_bookings, instrument.max_hours_per_week) == (3, 10)
    assert instrument.booking_quota_active == 3
    record["booking"]["max_hours_per_week"] = 0
    report = import_catalogue(demo)
    assert not report.ok
    assert any("booking.max_hours_per_week" in str(e) for e in report.errors)
    assert Instrument.objects.get(code=record["code"]).max_hours_per_week == 10


def _form_values(html: str) -> dict:
    """Every field the edit page's form would post, with its current value."""
    from html.parser import HTMLParser

    values: dict = {}

    class Form(HTMLParser):
        textarea = None
        select = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        values[a["name"]] = a.get("value", "on")
                else:
                    values[a["name"]] = a.get("value", "")
            elif tag == "textarea" and a.get("name"):
                self.textarea = a["name"]
                values[self.textarea] = ""
            elif tag == "select" and a.get("name"):
                self.select = a["name"]
            elif tag == "option" and self.select and "selected" in a:
                values[self.select] = a.get("value", "")

        def handle_endtag(self, tag):
            if tag == "textarea":
                self.textarea = None
            elif tag == "select":
                self.select = None

        def handle_data(self, data):
            if self.textarea:
                values[self.textarea] += data

    Form().feed(html)
    return values


@pytest.mark.django_db
def test_quotas_are_edited_in_the_admin_and_enforced_once_published(client):
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.urls import reverse

    from marketplace.accounts.models import User
    from marketplace.accounts.permissions import MODERATORS_GROUP

    instrument = free_instrument()
    UserFactory(username="lab-manager")
    call_command("grant_role", "lab-manager", instrument.institution.code, "manager")
    client.force_login(User.objects.get(username="lab-manager"))
    url = reverse(Instrument.snippet_viewset.get_url_name("edit"), args=[instrument.pk])
    html = client.get(url).content.decode()
    assert 'name="max_active_bookings"' in html
    assert 'name="max_hours_per_week"' in html

    # A 资源审核员 sets the quota through the same form and publishes it.
    reviewer = UserFactory(username="reviewer")
    reviewer.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    client.force_login(reviewer)
    form = _form_values(client.get(url).content.decode())
    form.update(max_active_bookings="1", max_hours_per_week="", **{"action-publish": "1"})
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    instrument.refresh_from_db()
    assert (instrument.max_active_bookings, instrument.max_hours_per_week) == (1, None)

    booker = APIClient()
    booker.force_authenticate(UserFactory())
    assert book(booker, instrument, tomorrow_at(8)).status_code == 201
    assert book(booker, instrument, tomorrow_at(14)).json()["code"] == "quota_bookings"
