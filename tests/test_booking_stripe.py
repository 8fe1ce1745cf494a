"""Stripe: Checkout against stripe-mock; webhooks signed with a test secret, processed once."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from rest_framework.authtoken.models import Token

from marketplace.bookings import services
from marketplace.payments import webhooks
from marketplace.payments.models import Payment, PaymentMethod, StripeEvent
from tests.booking_fixtures import at

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_secret"


def signed(
    payload: dict, *, secret: str = SECRET, timestamp: int | None = None
) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = timestamp or int(time.time())
    signature = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def event(event_id: str, event_type: str, obj: dict) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "data": {"object": obj},
        "api_version": "2024-06-20",
    }


def post(client, payload, **kwargs):
    body, header = signed(payload, **kwargs)
    return client.post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


@pytest.fixture
def awaiting(booking_world, settings):
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    Payment.objects.create(
        booking=booking, method="stripe", amount=booking.price, stripe_session_id="cs_test_123"
    )
    return booking


@pytest.fixture
def stripe_says(monkeypatch):
    """What Stripe answers when the session is fetched again: the edge we cannot reach."""
    answers = {}

    def fetch(session_id):
        return {
            "id": session_id,
            "payment_intent": "pi_123",
            **answers.get(session_id, {"payment_status": "unpaid", "status": "open"}),
        }

    monkeypatch.setattr(webhooks, "fetch_checkout_session", fetch)
    return answers


def test_a_completed_checkout_confirms_the_booking(client, awaiting, stripe_says):
    stripe_says["cs_test_123"] = {"payment_status": "paid", "status": "complete"}
    response = post(client, event("evt_1", "checkout.session.completed", {"id": "cs_test_123"}))
    assert response.status_code == 200
    awaiting.refresh_from_db()
    assert awaiting.status == "confirmed"
    payment = Payment.objects.get(stripe_session_id="cs_test_123")
    assert (payment.status, payment.stripe_payment_intent) == ("succeeded", "pi_123")


def test_an_event_is_not_trusted_without_stripe_confirming_it(client, awaiting, stripe_says):
    response = post(client, event("evt_1", "checkout.session.completed", {"id": "cs_test_123"}))
    assert response.status_code == 200
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_payment"


def test_a_bad_signature_is_400_and_changes_nothing(client, awaiting, stripe_says):
    stripe_says["cs_test_123"] = {"payment_status": "paid", "status": "complete"}
    response = post(
        client,
        event("evt_1", "checkout.session.completed", {"id": "cs_test_123"}),
        secret="whsec_wrong",
    )
    assert response.status_code == 400
    awaiting.refresh_from_db()
    assert awaiting.status == "awaiting_payment"
    assert not StripeEvent.objects.exists()


def test_a_stale_timestamp_is_400(client, awaiting, stripe_says):
    response = post(
        client,
        event("evt_1", "checkout.session.completed", {"id": "cs_test_123"}),
        timestamp=int(time.time()) - 3600,
    )
    assert response.status_code == 400


def test_a_replayed_event_is_processed_once(client, awaiting, stripe_says):
    stripe_says["cs_test_123"] = {"payment_status": "paid", "status": "complete"}
    payload = event("evt_1", "checkout.session.completed", {"id": "cs_test_123"})
    assert post(client, payload).status_code == 200
    transitions = awaiting.transitions.count()
    response = post(client, payload)
    assert response.status_code == 200
    assert response.json()["detail"] == "already processed"
    assert awaiting.transitions.count() == transitions
    assert StripeEvent.objects.count() == 1


def test_events_out_of_order_do_not_undo_a_payment(client, awaiting, stripe_says):
    stripe_says["cs_test_123"] = {"payment_status": "paid", "status": "complete"}
    assert (
        post(
            client, event("evt_2", "checkout.session.completed", {"id": "cs_test_123"})
        ).status_code
        == 200
    )
    # An older "expired" event arrives late; Stripe, asked again, still says paid.
    assert (
        post(client, event("evt_1", "checkout.session.expired", {"id": "cs_test_123"})).status_code
        == 200
    )
    awaiting.refresh_from_db()
    assert awaiting.status == "confirmed"
    assert Payment.objects.get(stripe_session_id="cs_test_123").status == "succeeded"


def test_an_unknown_event_type_is_acknowledged_and_ignored(client, awaiting, stripe_says):
    response = post(client, event("evt_9", "customer.created", {"id": "cus_1"}))
    assert response.status_code == 200
    assert response.json()["detail"] == "ignored"


@pytest.mark.stripe
def test_checkout_session_is_created_at_stripe_mock_for_the_price_in_fen(
    api_client, booking_world, settings
):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=startup).key}")
    response = api_client.post(
        f"/api/v1/bookings/{booking.pk}/pay/", {"method": "stripe"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["session_id"].startswith("cs_")
    assert response.json()["checkout_url"].startswith("https://")
    payment = Payment.objects.get(booking=booking)
    assert (payment.method, payment.amount, payment.status) == (
        "stripe",
        Decimal("900.00"),
        "pending",
    )


@pytest.mark.stripe
def test_paying_online_from_the_booking_page_redirects_to_stripe_checkout(client, booking_world):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    client.force_login(startup)
    assert 'id="pay-stripe"' in client.get(f"/bookings/{booking.pk}/").content.decode()
    response = client.post(f"/bookings/{booking.pk}/pay/", {"method": "stripe"})
    assert response.status_code == 302
    assert response["Location"].startswith("https://")
    assert Payment.objects.get(booking=booking).method == PaymentMethod.STRIPE


@pytest.mark.stripe
def test_cancelling_a_stripe_paid_booking_refunds_through_stripe(
    booking_world, django_capture_on_commit_callbacks
):
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    Payment.objects.create(
        booking=booking,
        method="stripe",
        amount=booking.price,
        stripe_session_id="cs_x",
        stripe_payment_intent="pi_123",
        status="succeeded",
    )
    services._transition(booking, "confirmed", None)
    with django_capture_on_commit_callbacks(execute=True):
        _booking, refund = services.cancel(booking, manager)  # the institution cancels: full refund
    assert refund == Decimal("900.00")
    refund_row = Payment.objects.get(booking=booking, kind="refund")
    assert refund_row.stripe_refund_id.startswith("re_")
    assert refund_row.status == "succeeded"


@pytest.mark.stripe
def test_a_manager_gets_a_connect_link_and_checkout_pays_the_institution(
    api_client, booking_world, monkeypatch
):
    instrument, startup, manager, day = booking_world
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=manager).key}")
    response = api_client.post(
        f"/api/v1/institutions/{instrument.institution.code}/stripe-connect/"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["url"].startswith("https://")
    instrument.institution.refresh_from_db()
    assert instrument.institution.stripe_account_id.startswith("acct_")

    from marketplace.payments import services as payments

    sent = {}
    original = payments.stripe_client

    def recording_client():
        client = original()
        create = client.v1.checkout.sessions.create

        def record(params, options=None):
            sent.update(params)
            return create(params=params, options=options)

        client.v1.checkout.sessions.create = record
        return client

    monkeypatch.setattr(payments, "stripe_client", recording_client)
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    services.pay(booking, startup, "stripe", return_url="https://x.example/ok")
    assert sent["payment_intent_data"] == {
        "application_fee_amount": 4500,  # 5% of ¥900.00, in fen
        "transfer_data": {"destination": instrument.institution.stripe_account_id},
    }


def test_only_a_manager_of_the_institution_may_ask_for_a_connect_link(
    api_client, booking_world, settings
):
    instrument, startup, _manager, _day = booking_world
    settings.STRIPE_SECRET_KEY = "sk_test_123"
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=startup).key}")
    response = api_client.post(
        f"/api/v1/institutions/{instrument.institution.code}/stripe-connect/"
    )
    assert response.status_code == 404


def test_reconcile_payments_confirms_a_paid_session_the_webhook_missed(
    awaiting, stripe_says, settings
):
    from django.core.management import call_command

    settings.STRIPE_SECRET_KEY = "sk_test_123"
    stripe_says["cs_test_123"] = {"payment_status": "paid", "status": "complete"}
    call_command("reconcile_payments")
    awaiting.refresh_from_db()
    assert awaiting.status == "confirmed"
    call_command("reconcile_payments")  # a second run finds nothing left to do
    assert awaiting.transitions.filter(to_status="confirmed").count() == 1
