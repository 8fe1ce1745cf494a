"""One bank transfer is one payment (issue 13): confirming an offline payment with a transfer
reference the same institution already recorded — for a booking or a sample-testing order — is
a 409 and nothing is recorded, instead of a second transfer that would then be refunded. The
same reference at another institution is another transfer."""

from decimal import Decimal

import pytest

from marketplace.bookings import services as bookings
from marketplace.bookings.models import Status as BookingStatus
from marketplace.payments.models import Payment
from marketplace.sampletesting import services as samples
from marketplace.sampletesting.models import Status as OrderStatus
from marketplace.workflow import Conflict
from tests.booking_fixtures import at
from tests.factories import InstitutionFactory, InstrumentFactory, MembershipFactory, UserFactory
from tests.test_money_loop import api

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(booking_world):
    instrument, startup, manager, day = booking_world
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, institution=instrument.institution, role="staff")
    xrd = InstrumentFactory(
        institution=instrument.institution,
        code="YLU-XRD-01",
        name="X射线衍射仪",
        offers_sample_testing=True,
        price_per_sample=Decimal("300.00"),
    )
    return instrument, xrd, startup, manager, colleague, day


def booking_awaiting_transfer(world, hhmm):
    instrument, _xrd, startup, manager, _colleague, day = world
    booking = bookings.request_booking(startup, instrument, at(day, hhmm[0]), at(day, hhmm[1]))
    bookings.approve(booking, manager)
    bookings.pay(booking, startup, "offline", return_url="https://x.example/b")
    return booking


def order_awaiting_transfer(world, xrd=None, quoter=None):
    _instrument, own_xrd, startup, manager, _colleague, _day = world
    order = samples.request_order(
        startup, xrd or own_xrd, sample_count=1, sample_description="粉末", test_items="XRD"
    )
    samples.quote(order, quoter or manager, Decimal("300.00"), 3)
    samples.accept_quote(order, startup, version=1)
    samples.pay(order, startup, "offline", return_url="https://x.example/s")
    return order


def test_a_reference_recorded_for_one_booking_is_409_for_another(world):
    *_rest, colleague, _day = world
    first = booking_awaiting_transfer(world, ("09:00", "10:00"))
    second = booking_awaiting_transfer(world, ("14:00", "15:00"))
    member = api(colleague)
    ok = member.post(
        f"/api/v1/bookings/{first.pk}/confirm-offline-payment/",
        {"reference": "ICBC-20261207-0042"},
        format="json",
    )
    assert ok.status_code == 200, ok.content
    again = member.post(
        f"/api/v1/bookings/{second.pk}/confirm-offline-payment/",
        # The same transfer typed again, in other case and with spaces around it.
        {"reference": " icbc-20261207-0042 "},
        format="json",
    )
    assert again.status_code == 409, again.content
    assert again.json()["code"] == "duplicate_reference"
    assert "已登记" in again.json()["detail"]
    second.refresh_from_db()
    assert second.status == BookingStatus.AWAITING_PAYMENT
    # Nothing recorded: the transfer still awaited, no second payment, no refund.
    assert list(second.payments.values_list("status", flat=True)) == ["pending"]
    assert Payment.objects.filter(status="succeeded").count() == 1
    assert not Payment.objects.filter(kind="refund").exists()


def test_a_reference_recorded_for_a_booking_is_409_for_a_sample_order_of_the_institution(world):
    *_rest, colleague, _day = world
    booking = booking_awaiting_transfer(world, ("09:00", "10:00"))
    bookings.confirm_offline_payment(booking, colleague, "ABC-1")
    order = order_awaiting_transfer(world)
    response = api(colleague).post(
        f"/api/v1/sample-orders/{order.pk}/confirm-offline-payment/",
        {"reference": "ABC-1"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_reference"
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_PAYMENT
    assert list(order.payments.values_list("status", flat=True)) == ["pending"]


def test_a_late_transfer_with_a_recorded_reference_is_refused_not_refunded(world):
    """The second confirmation of one transfer on an order already paid used to record it
    again and send the money back; it is refused and nothing moves."""
    *_rest, colleague, _day = world
    order = order_awaiting_transfer(world)
    samples.confirm_offline_payment(order, colleague, "ICBC-9")
    with pytest.raises(Conflict) as refused:
        samples.confirm_offline_payment(order, colleague, "ICBC-9")
    assert refused.value.code == "duplicate_reference"
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    assert order.payments.filter(kind="payment", status="succeeded").count() == 1
    assert not order.payments.filter(kind="refund").exists()
    booking = booking_awaiting_transfer(world, ("09:00", "10:00"))
    bookings.confirm_offline_payment(booking, colleague, "ICBC-10")
    with pytest.raises(Conflict):
        bookings.confirm_offline_payment(booking, colleague, "ICBC-10")
    assert not booking.payments.filter(kind="refund").exists()


def test_the_same_reference_at_another_institution_is_another_transfer(world):
    *_rest, colleague, _day = world
    booking = booking_awaiting_transfer(world, ("09:00", "10:00"))
    bookings.confirm_offline_payment(booking, colleague, "0001")
    other = InstitutionFactory(code="KMU", name="昆明医学院")
    other_manager = UserFactory(username="kmu-manager")
    MembershipFactory(user=other_manager, institution=other, role="manager")
    other_staff = UserFactory(username="kmu-staff")
    MembershipFactory(user=other_staff, institution=other, role="staff")
    xrd = InstrumentFactory(
        institution=other,
        code="KMU-XRD",
        offers_sample_testing=True,
        price_per_sample=Decimal("300.00"),
    )
    order = order_awaiting_transfer(world, xrd=xrd, quoter=other_manager)
    samples.confirm_offline_payment(order, other_staff, "0001")
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
