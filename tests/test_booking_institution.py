"""A booking carries its instrument's institution (issue 17: the approval queue reads an
institution's requests by that column alone). However a booking is made — the booking page,
the API, the service, a factory or the admin's plain create — it lands in the queue of its
instrument's institution and in no other; when an instrument moves to another institution (an
edit, an import), its bookings move with it; and a database that held bookings before the
column existed gets it filled by the migration."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from marketplace.bookings import services
from marketplace.bookings.models import Booking
from tests.booking_fixtures import at
from tests.factories import (
    BookingFactory,
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    UserFactory,
)
from tests.migration_state import stepped_back

LINK = re.compile(r'<td><a href="/bookings/(\d+)/">')


def queue_of(client, manager) -> set[int]:
    client.force_login(manager)
    html = client.get("/bookings/queue/", {"status": "pending_approval"}).content.decode()
    return {int(pk) for pk in LINK.findall(html)}


@pytest.fixture
def two_queues(booking_world):
    """booking_world's institution and its manager, and a second institution with its own
    instrument and manager."""
    instrument, startup, manager, day = booking_world
    elsewhere = InstrumentFactory(institution=InstitutionFactory(code="DDXC"), name="透射电镜")
    other_manager = UserFactory(username="other-manager")
    MembershipFactory(user=other_manager, institution=elsewhere.institution, role="manager")
    return instrument, startup, manager, day, elsewhere, other_manager


def _book_on_the_page(client, instrument, startup, day) -> Booking:
    client.force_login(startup)
    response = client.post(
        f"/instruments/{instrument.code}/book/",
        {"start": at(day, "09:00").isoformat(), "minutes": 120, "purpose": "表征"},
    )
    assert response.status_code == 302
    return Booking.objects.get(user=startup, start=at(day, "09:00"))


def _book_through_the_api(client, instrument, startup, day) -> Booking:
    api = APIClient()
    api.force_authenticate(startup)
    response = api.post(
        "/api/v1/bookings/",
        {
            "instrument": instrument.code,
            "start": at(day, "14:00").isoformat(),
            "end": at(day, "15:00").isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return Booking.objects.get(pk=response.json()["id"])


def _book_with_the_service(client, instrument, startup, day) -> Booking:
    return services.request_booking(startup, instrument, at(day, "10:00"), at(day, "11:00"))


def _book_with_a_factory(client, instrument, startup, day) -> Booking:
    return BookingFactory(instrument=instrument, user=startup)


def _book_with_a_plain_create(client, instrument, startup, day) -> Booking:
    return Booking.objects.create(
        instrument=instrument,
        user=startup,
        start=at(day, "16:00"),
        end=at(day, "17:00"),
        status="pending_approval",
        price=Decimal("450.00"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "book",
    [
        _book_on_the_page,
        _book_through_the_api,
        _book_with_the_service,
        _book_with_a_factory,
        _book_with_a_plain_create,
    ],
)
def test_a_booking_made_any_way_is_in_its_institutions_queue_and_no_other(client, two_queues, book):
    instrument, startup, manager, day, elsewhere, other_manager = two_queues
    booking = book(client, instrument, startup, day)
    there = BookingFactory(instrument=elsewhere, user=startup)
    assert booking.status == "pending_approval"
    assert Booking.objects.get(pk=booking.pk).institution_id == instrument.institution_id
    assert queue_of(client, manager) == {booking.pk}
    assert queue_of(client, other_manager) == {there.pk}


@pytest.mark.django_db
def test_an_instrument_moved_to_another_institution_takes_its_bookings_along(client, two_queues):
    instrument, startup, manager, day, elsewhere, other_manager = two_queues
    moved = BookingFactory(instrument=instrument, user=startup)
    stays = BookingFactory(instrument=InstrumentFactory(institution=instrument.institution))
    assert queue_of(client, manager) == {moved.pk, stays.pk}
    instrument.refresh_from_db()
    instrument.institution = elsewhere.institution
    instrument.save()
    assert queue_of(client, manager) == {stays.pk}
    assert queue_of(client, other_manager) == {moved.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("fields", [None, ["name"]])
def test_saving_an_instrument_that_did_not_move_touches_no_booking(two_queues, fields):
    from django.test.utils import CaptureQueriesContext

    instrument, startup, _manager, _day, _elsewhere, _other = two_queues
    BookingFactory(instrument=instrument, user=startup)
    instrument.refresh_from_db()
    instrument.name = "场发射扫描电镜"
    with CaptureQueriesContext(connection) as saved:
        instrument.save(update_fields=fields)
    assert saved.captured_queries  # the instrument's own UPDATE was seen
    assert not [q for q in saved.captured_queries if "bookings_booking" in q["sql"]]
    assert Booking.objects.get().institution_id == instrument.institution_id


@pytest.mark.django_db
def test_an_import_that_moves_an_instrument_moves_its_bookings(client):
    from marketplace.accounts.models import Institution
    from marketplace.catalogue.importer import import_catalogue
    from marketplace.catalogue.models import Instrument

    data = json.loads(
        (Path(settings.BASE_DIR) / "data" / "demo-catalogue.json").read_text(encoding="utf-8")
    )
    import_catalogue(copy.deepcopy(data))
    record = data["instruments"][0]
    instrument = Instrument.objects.get(code=record["code"])
    old, new = (
        instrument.institution,
        Institution.objects.exclude(pk=instrument.institution_id).order_by("code").first(),
    )
    old_manager, new_manager = UserFactory(), UserFactory()
    MembershipFactory(user=old_manager, institution=old, role="manager")
    MembershipFactory(user=new_manager, institution=new, role="manager")
    booking = BookingFactory(instrument=instrument)
    assert queue_of(client, old_manager) == {booking.pk}
    record["institution"] = new.code
    import_catalogue(copy.deepcopy(data))
    assert Instrument.objects.get(pk=instrument.pk).institution == new
    assert queue_of(client, old_manager) == set()
    assert queue_of(client, new_manager) == {booking.pk}


BEFORE = [("bookings", "0009_queue_indexes_per_status")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_existing_bookings_their_instruments_institution():
    with stepped_back(BEFORE) as stepped:
        old = stepped.before
        User = old.get_model("accounts", "User")
        Institution = old.get_model("accounts", "Institution")
        Instrument = old.get_model("catalogue", "Instrument")
        Booking = old.get_model("bookings", "Booking")
        user = User.objects.create(username="booker", email="booker@example.org")
        made = {}
        for code, credit in (("MIGA", "12530000MB0000000X"), ("MIGB", "12530000MB00000019")):
            institution = Institution.objects.create(
                code=code, name=f"{code} 大学", credit_code=credit
            )
            instrument = Instrument.objects.create(
                institution=institution,
                code=f"{code}-SEM",
                name="扫描电镜",
                original_value=Decimal("1000000.00"),
            )
            start = dt.datetime(2027, 1, 4, 1, tzinfo=dt.UTC)
            made[code] = (
                institution.pk,
                [
                    Booking.objects.create(
                        instrument=instrument,
                        user=user,
                        start=start + dt.timedelta(hours=k),
                        end=start + dt.timedelta(hours=k, minutes=30),
                        status=status,
                        price=Decimal("10.00"),
                    ).pk
                    for k, status in enumerate(["pending_approval", "confirmed", "completed"])
                ],
            )
    new = stepped.after
    Booking = new.get_model("bookings", "Booking")
    for institution, pks in made.values():
        assert sorted(
            Booking.objects.filter(institution_id=institution).values_list("pk", flat=True)
        ) == sorted(pks)
    assert not Booking.objects.filter(institution__isnull=True).exists()
