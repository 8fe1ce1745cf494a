"""Moving Payment, StripeEvent and Notification out of the bookings app moves no data: a
database that holds payments and notices before the move reads the same rows after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.migration_state import stepped_back

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("bookings", "0006_notification_text_in_both_languages"),
    ("sampletesting", "0001_sample_orders"),
    ("payments", None),
    ("notifications", None),
    # Apps whose first migration comes after the move (they depend on it) go back to zero.
    ("sharing", None),
]


def test_payments_and_notices_survive_the_move_to_their_own_apps():
    with stepped_back(BEFORE) as stepped:
        old = stepped.before
        User = old.get_model("accounts", "User")
        Institution = old.get_model("accounts", "Institution")
        Instrument = old.get_model("catalogue", "Instrument")
        Booking = old.get_model("bookings", "Booking")
        Payment = old.get_model("bookings", "Payment")
        Notification = old.get_model("bookings", "Notification")
        StripeEvent = old.get_model("bookings", "StripeEvent")
        user = User.objects.create(username="payer", email="payer@example.org")
        institution = Institution.objects.create(
            code="MIG", name="迁移测试大学", credit_code="12530000MB0000000X"
        )
        instrument = Instrument.objects.create(
            institution=institution,
            code="MIG-01",
            name="扫描电镜",
            original_value=Decimal("3280000.00"),
        )
        start = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
        booking = Booking.objects.create(
            instrument=instrument,
            user=user,
            start=start,
            end=start + dt.timedelta(hours=1),
            status="confirmed",
            price=Decimal("450.00"),
        )
        Payment.objects.create(
            booking=booking, method="offline", status="succeeded", amount=Decimal("450.00")
        )
        Notification.objects.create(
            user=user, booking=booking, message="预约已确认：扫描电镜", url="/bookings/1/"
        )
        StripeEvent.objects.create(event_id="evt_before_the_move", type="charge.refunded")
    new = stepped.after

    Payment = new.get_model("payments", "Payment")
    Notification = new.get_model("notifications", "Notification")
    StripeEvent = new.get_model("payments", "StripeEvent")
    payment = Payment.objects.get()
    assert (payment.booking.price, payment.amount, payment.status) == (
        Decimal("450.00"),
        Decimal("450.00"),
        "succeeded",
    )
    assert Notification.objects.get().message == "预约已确认：扫描电镜"
    assert StripeEvent.objects.filter(event_id="evt_before_the_move").exists()
