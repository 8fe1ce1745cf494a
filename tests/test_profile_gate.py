"""The profile is asked for once, before a person's first request: pages send them to
/accounts/profile/ and back, the API answers a clear 400 with a code; nothing is written."""

import pytest
from rest_framework.test import APIClient

from marketplace.bookings.models import Booking
from marketplace.inquiries.models import Inquiry
from tests.booking_fixtures import at
from tests.factories import InstitutionFactory, TechnologyFactory, UserFactory

pytestmark = pytest.mark.django_db


def newcomer():
    return UserFactory(username="newcomer", real_name="", organisation="", phone="")


def test_the_booking_page_asks_for_the_profile_then_comes_back(client, booking_world):
    instrument, _startup, _manager, _day = booking_world
    user = newcomer()
    client.force_login(user)
    url = f"/instruments/{instrument.code}/book/"
    response = client.get(url)
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/accounts/profile/?next=%2Finstruments%2F{instrument.code}%2Fbook%2F"
    )
    saved = client.post(
        "/accounts/profile/",
        {"real_name": "赵敏", "organisation": "滇池光电", "phone": "13700000000", "next": url},
    )
    assert saved["Location"] == url
    assert client.get(url).status_code == 200  # remembered: not asked again


def test_the_api_refuses_a_booking_without_a_profile_with_a_code(booking_world):
    instrument, _startup, _manager, day = booking_world
    api = APIClient()
    api.force_authenticate(newcomer())
    response = api.post(
        "/api/v1/bookings/",
        {
            "instrument": instrument.code,
            "start": at(day, "09:00").isoformat(),
            "end": at(day, "10:00").isoformat(),
            "purpose": "形貌观察",
        },
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "profile_incomplete"
    assert "profile" in response.json()["errors"]["non_field_errors"][0]
    assert not Booking.objects.exists()


def test_an_inquiry_page_asks_for_the_profile_first(client):
    TechnologyFactory(institution=InstitutionFactory(), code="TECH-9")
    client.force_login(newcomer())
    response = client.post("/technologies/TECH-9/inquire/", {"message": "许可条件？"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/profile/?next=")
    assert not Inquiry.objects.exists()
