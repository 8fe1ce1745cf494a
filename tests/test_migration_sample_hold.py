"""sampletesting 0003 gives sample-testing orders the payment hold bookings have. On a database
that holds orders, those already awaiting payment get the bank-transfer hold from the migration
on (with their pending transfer showing the same deadline), so none expires the moment the new
code is deployed; orders in other statuses stay without a hold."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.migration_state import stepped_back

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("sampletesting", "0002_sample_order_quote_version")]


def test_orders_awaiting_payment_get_the_bank_transfer_hold_and_others_none(settings):
    with stepped_back(BEFORE) as stepped:
        old = stepped.before
        User = old.get_model("accounts", "User")
        Institution = old.get_model("accounts", "Institution")
        Instrument = old.get_model("catalogue", "Instrument")
        SampleOrder = old.get_model("sampletesting", "SampleOrder")
        Payment = old.get_model("payments", "Payment")
        user = User.objects.create(username="requester", email="requester@example.org")
        institution = Institution.objects.create(
            code="MIG", name="迁移测试大学", credit_code="12530000MB0000000X"
        )
        instrument = Instrument.objects.create(
            institution=institution,
            code="MIG-XRD",
            name="X射线衍射仪",
            original_value=Decimal("1280000.00"),
            offers_sample_testing=True,
        )

        def order(status, price):
            return SampleOrder.objects.create(
                instrument=instrument,
                user=user,
                sample_count=1,
                sample_description="粉末",
                test_items="XRD",
                status=status,
                price=price,
                quote_version=1 if price is not None else 0,
            )

        awaiting = order("awaiting_payment", Decimal("300.00"))
        Payment.objects.create(
            sample_order=awaiting,
            kind="payment",
            method="offline",
            status="pending",
            amount=Decimal("300.00"),
            reference_code="S000001-ABCD",
        )
        confirmed = order("confirmed", Decimal("300.00"))
        requested = order("requested", None)
        before = timezone.now()
    new = stepped.after

    SampleOrder = new.get_model("sampletesting", "SampleOrder")
    Payment = new.get_model("payments", "Payment")
    held = SampleOrder.objects.get(pk=awaiting.pk)
    expected = before + dt.timedelta(hours=settings.OFFLINE_PAYMENT_HOLD_HOURS)
    assert abs(held.hold_expires_at - expected) < dt.timedelta(minutes=5)
    assert held.status == "awaiting_payment"
    assert Payment.objects.get(sample_order_id=awaiting.pk).deadline == held.hold_expires_at
    for pk in (confirmed.pk, requested.pk):
        assert SampleOrder.objects.get(pk=pk).hold_expires_at is None
    # The new code reads the migrated order as still awaiting payment, not expired.
    from marketplace.sampletesting import services
    from marketplace.sampletesting.models import SampleOrder as CurrentOrder

    assert services.HOLDS.expire_listed(CurrentOrder.objects.all()) == 0
