"""Sample-testing orders share the money loop of bookings: a bank transfer that arrives after a
card payment is recorded and refunded as an over-payment (never a 409, never kept twice)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from marketplace.payments.models import Payment
from marketplace.payments.services import kept_total
from marketplace.sampletesting import services
from marketplace.sampletesting.models import Status
from tests.factories import InstitutionFactory, InstrumentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_by_card():
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    instrument = InstrumentFactory(
        institution=institution, offers_sample_testing=True, price_per_sample=Decimal("300.00")
    )
    startup = UserFactory(username="founder")
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    order = services.request_order(
        startup, instrument, sample_count=3, sample_description="粉末", test_items="XRD"
    )
    services.quote(order, manager, Decimal("900.00"), 5)
    services.accept_quote(order, startup, version=1)
    # The founder chose bank transfer, then paid by card before the transfer arrived.
    services.pay(order, startup, "offline", return_url="http://testserver/")
    Payment.objects.create(
        sample_order=order, method="stripe", amount=Decimal("900.00"), stripe_session_id="cs_s1"
    )
    services.record_stripe_payment(order, "cs_s1", "pi_s1")
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED
    return order, manager


def test_a_late_transfer_after_a_card_payment_is_recorded_and_refunded(paid_by_card):
    order, manager = paid_by_card
    client = APIClient()
    client.force_authenticate(manager)
    response = client.post(
        f"/api/v1/sample-orders/{order.pk}/confirm-offline-payment/",
        {"reference": "ICBC-LATE-01"},
        format="json",
    )
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED
    transfer = order.payments.get(kind="payment", method="offline")
    assert (transfer.status, transfer.amount, transfer.reference) == (
        "succeeded",
        Decimal("900.00"),
        "ICBC-LATE-01",
    )
    refund = order.payments.get(kind="refund")
    # The transfer that made it too much is the one given back, by bank transfer.
    assert (refund.refund_of_id, refund.method, refund.amount) == (
        transfer.pk,
        "offline",
        Decimal("900.00"),
    )
    assert refund.status == "pending"  # a member records it as paid back
    assert kept_total(order) == Decimal("900.00")
    # The payer sees the refund in their statement.
    payer = APIClient()
    payer.force_authenticate(order.user)
    rows = payer.get("/api/v1/refunds/").json()["results"]
    assert [(r["id"], r["status"]) for r in rows] == [(refund.pk, "pending")]


def test_every_transfer_beyond_the_price_goes_back_and_the_institution_keeps_the_price(
    paid_by_card,
):
    order, manager = paid_by_card
    services.confirm_offline_payment(order, manager, "ICBC-LATE-01")
    services.confirm_offline_payment(order, manager, "ICBC-LATE-02")
    order.refresh_from_db()
    assert order.status == Status.CONFIRMED
    assert kept_total(order) == Decimal("900.00")
    refunds = order.payments.filter(kind="refund").order_by("pk")
    assert [r.refund_of.reference for r in refunds] == ["ICBC-LATE-01", "ICBC-LATE-02"]


def test_a_member_confirming_their_own_orders_late_transfer_is_still_refused(paid_by_card):
    order, manager = paid_by_card
    MembershipFactory(user=order.user, institution=order.instrument.institution, role="staff")
    with pytest.raises(Exception) as refused:
        services.confirm_offline_payment(order, order.user, "ICBC-SELF")
    assert getattr(refused.value, "code", "") == "self_confirmation"
    assert order.payments.filter(method="offline", status="succeeded").count() == 0
    assert order.payments.filter(kind="refund").count() == 0
