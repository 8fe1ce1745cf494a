"""The money loop (issue 13), one test per scenario: never charged twice, refunds that finish,
bank transfer with payee, 汇款附言 and deadline, holds that run out on read, and the rules
about who confirms what and when.

Stripe scenarios run against stripe-mock (sessions, expiry and refunds are real calls); only
"is this session paid now?" is answered by the test, because stripe-mock never completes a
Checkout Session — the same edge tests/test_booking_stripe.py stubs.
"""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from marketplace.bookings import services
from marketplace.bookings.models import Status
from marketplace.payments import services as payments
from marketplace.payments import webhooks
from marketplace.payments.models import Payment
from marketplace.workflow import Conflict, Forbidden, RuleError
from tests.booking_fixtures import at
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory
from tests.test_booking_stripe import SECRET, event, post

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def approved(booking_world, settings):
    """A ¥900.00 booking awaiting payment, and a second member of the lab who confirms."""
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    instrument, startup, manager, day = booking_world
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    booking.refresh_from_db()
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, institution=instrument.institution, role="staff")
    return booking, startup, manager, colleague


@pytest.fixture
def stripe_says(monkeypatch):
    """Which sessions Stripe reports as paid when asked again (stripe-mock never pays one)."""
    paid: dict[str, str] = {}

    def fetch(session_id):
        if session_id in paid:
            return {
                "id": session_id,
                "payment_status": "paid",
                "status": "complete",
                "payment_intent": paid[session_id],
            }
        return {
            "id": session_id,
            "payment_status": "unpaid",
            "status": "open",
            "payment_intent": "",
        }

    monkeypatch.setattr(webhooks, "fetch_checkout_session", fetch)
    return paid


@pytest.fixture
def expired_at_stripe(monkeypatch):
    """The session ids the code asked Stripe (stripe-mock) to expire, the call still made."""
    calls: list[str] = []
    original = payments._expire_session

    def recording(session_id):
        calls.append(session_id)
        return original(session_id)

    monkeypatch.setattr(payments, "_expire_session", recording)
    return calls


def webhook(client, capture, event_id, event_type, obj):
    with capture(execute=True):
        response = post(client, event(event_id, event_type, obj))
    assert response.status_code == 200, response.content
    return response


# --- Never charged twice ---------------------------------------------------------------------


@pytest.mark.stripe
def test_a_second_session_expires_the_first_and_a_late_payment_of_it_is_refunded(
    client, approved, stripe_says, expired_at_stripe, django_capture_on_commit_callbacks
):
    booking, startup, _manager, _colleague = approved
    first = services.pay(booking, startup, "stripe", return_url="https://x.example/b")
    second = services.pay(booking, startup, "stripe", return_url="https://x.example/b")
    assert first["session_id"] != second["session_id"]
    assert expired_at_stripe == [first["session_id"]]
    assert Payment.objects.get(pk=first["payment"]).status == "cancelled"
    assert Payment.objects.get(pk=second["payment"]).status == "pending"

    stripe_says[second["session_id"]] = "pi_second"
    webhook(
        client,
        django_capture_on_commit_callbacks,
        "evt_2",
        "checkout.session.completed",
        {"id": second["session_id"]},
    )
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED
    # The first session had been paid before Stripe expired it: its event arrives late.
    stripe_says[first["session_id"]] = "pi_first"
    webhook(
        client,
        django_capture_on_commit_callbacks,
        "evt_1",
        "checkout.session.completed",
        {"id": first["session_id"]},
    )
    late = Payment.objects.get(pk=first["payment"])
    assert late.status == "succeeded"
    refund = Payment.objects.get(booking=booking, kind="refund")
    assert (refund.refund_of, refund.amount, refund.status) == (
        late,
        Decimal("900.00"),
        "succeeded",
    )
    assert refund.stripe_refund_id.startswith("re_")
    booking.refresh_from_db()
    assert booking.paid_amount == booking.price == Decimal("900.00")


@pytest.mark.stripe
def test_card_then_transfer_withdraws_the_session_and_a_late_card_payment_goes_back(
    client, approved, stripe_says, expired_at_stripe, django_capture_on_commit_callbacks
):
    booking, startup, _manager, colleague = approved
    card = services.pay(booking, startup, "stripe", return_url="https://x.example/b")
    transfer = services.pay(booking, startup, "offline", return_url="https://x.example/b")
    assert expired_at_stripe == [card["session_id"]]
    assert Payment.objects.get(pk=card["payment"]).status == "cancelled"
    assert transfer["reference_code"].startswith(f"B{booking.pk:06d}-")
    services.confirm_offline_payment(booking, colleague, "ICBC-20261205-01")
    booking.refresh_from_db()
    assert booking.status == Status.CONFIRMED

    stripe_says[card["session_id"]] = "pi_card"
    webhook(
        client,
        django_capture_on_commit_callbacks,
        "evt_card",
        "checkout.session.completed",
        {"id": card["session_id"]},
    )
    refund = Payment.objects.get(booking=booking, kind="refund")
    assert refund.refund_of_id == card["payment"]
    assert (refund.method, refund.amount, refund.status) == (
        "stripe",
        Decimal("900.00"),
        "succeeded",
    )
    booking.refresh_from_db()
    assert booking.paid_amount == Decimal("900.00")
    # The transfer stays: it is what paid for the booking.
    assert Payment.objects.get(pk=transfer["payment"]).status == "succeeded"


def test_choosing_bank_transfer_twice_keeps_one_reference_code(approved):
    booking, startup, _manager, _colleague = approved
    one = services.pay(booking, startup, "offline", return_url="https://x.example/b")
    two = services.pay(booking, startup, "offline", return_url="https://x.example/b")
    assert one["reference_code"] == two["reference_code"]
    assert booking.payments.filter(status="pending").count() == 1


# --- Refunds that finish ---------------------------------------------------------------------


def paid_by_two_charges(booking):
    """¥900.00 paid as two card charges of ¥450.00 (each its own payment intent)."""
    older = Payment.objects.create(
        booking=booking,
        method="stripe",
        amount=Decimal("450.00"),
        status="succeeded",
        stripe_session_id="cs_a",
        stripe_payment_intent="pi_a",
    )
    newer = Payment.objects.create(
        booking=booking,
        method="stripe",
        amount=Decimal("450.00"),
        status="succeeded",
        stripe_session_id="cs_b",
        stripe_payment_intent="pi_b",
    )
    return older, newer


@pytest.mark.stripe
def test_a_refund_is_split_over_two_charges_one_stripe_refund_each(
    approved, django_capture_on_commit_callbacks
):
    booking, _startup, _manager, _colleague = approved
    older, newer = paid_by_two_charges(booking)
    with django_capture_on_commit_callbacks(execute=True):
        rows = payments.refund(booking, Decimal("600.00"))
    assert [(row.refund_of, row.amount) for row in rows] == [
        (newer, Decimal("450.00")),
        (older, Decimal("150.00")),
    ]
    refunds = Payment.objects.filter(kind="refund").order_by("pk")
    assert [row.status for row in refunds] == ["succeeded", "succeeded"]
    ids = [row.stripe_refund_id for row in refunds]
    assert all(refund_id.startswith("re_") for refund_id in ids) and len(set(ids)) == 2
    # What is left to give back never exceeds a charge.
    assert (payments.refundable(newer), payments.refundable(older)) == (
        Decimal("0.00"),
        Decimal("300.00"),
    )
    booking.refresh_from_db()
    assert booking.paid_amount == Decimal("300.00")


@pytest.mark.stripe
def test_a_refund_stripe_did_not_answer_is_sent_when_charge_refunded_arrives_first(
    client, approved, monkeypatch, django_capture_on_commit_callbacks
):
    """Out of order: Stripe's charge.refunded for the charge arrives while our refund row has
    no Stripe id yet (the create call failed); the webhook sends it, idempotently."""
    booking, _startup, _manager, _colleague = approved
    charge = Payment.objects.create(
        booking=booking,
        method="stripe",
        amount=booking.price,
        status="succeeded",
        stripe_session_id="cs_x",
        stripe_payment_intent="pi_x",
    )
    monkeypatch.setattr(payments, "stripe_refund", lambda refund_id: None)  # Stripe unreachable
    with django_capture_on_commit_callbacks(execute=True):
        (refund,) = payments.refund(booking, Decimal("900.00"))
    monkeypatch.undo()
    refund.refresh_from_db()
    assert (refund.status, refund.stripe_refund_id) == ("pending", "")
    webhook(
        client,
        django_capture_on_commit_callbacks,
        "evt_r1",
        "charge.refunded",
        {"id": "ch_x", "payment_intent": charge.stripe_payment_intent},
    )
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert refund.stripe_refund_id.startswith("re_")


@pytest.mark.stripe
def test_a_pending_stripe_refund_settles_from_refund_updated_or_reconcile(
    client, approved, django_capture_on_commit_callbacks
):
    booking, _startup, _manager, _colleague = approved
    older, newer = paid_by_two_charges(booking)
    one = Payment.objects.create(
        booking=booking,
        kind="refund",
        method="stripe",
        amount=Decimal("450.00"),
        refund_of=newer,
        stripe_refund_id="re_pending_1",
    )
    two = Payment.objects.create(
        booking=booking,
        kind="refund",
        method="stripe",
        amount=Decimal("450.00"),
        refund_of=older,
        stripe_refund_id="re_pending_2",
    )
    # refund.updated names the refund; Stripe (stripe-mock), asked again, says succeeded.
    webhook(
        client,
        django_capture_on_commit_callbacks,
        "evt_u1",
        "refund.updated",
        {"id": "re_pending_1", "status": "pending"},
    )
    one.refresh_from_db()
    assert one.status == "succeeded"
    two.refresh_from_db()
    assert two.status == "pending"
    call_command("reconcile_payments", stdout=io.StringIO())
    two.refresh_from_db()
    assert two.status == "succeeded"
    booking.refresh_from_db()
    assert booking.paid_amount == Decimal("0.00")


def cancelled_after_transfer(approved):
    booking, startup, manager, colleague = approved
    services.pay(booking, startup, "offline", return_url="https://x.example/b")
    services.confirm_offline_payment(booking, colleague, "ICBC-IN-1")
    services.cancel(booking, manager, "仪器故障")
    return Payment.objects.get(booking=booking, kind="refund")


def test_a_bank_transfer_refund_is_completed_by_a_member_with_its_reference(approved):
    booking, startup, manager, colleague = approved
    refund = cancelled_after_transfer(approved)
    assert (refund.method, refund.status, refund.amount) == ("offline", "pending", Decimal("900"))
    outsider = UserFactory(username="other-lab")
    MembershipFactory(user=outsider, institution=InstitutionFactory(code="OTH"), role="manager")
    for who in (startup, outsider):
        with pytest.raises(Forbidden):
            payments.complete_offline_refund(refund, who, "X")
    with pytest.raises(RuleError):
        payments.complete_offline_refund(refund, manager, "  ")
    payments.complete_offline_refund(refund, manager, "ICBC-OUT-7")
    refund.refresh_from_db()
    assert (refund.status, refund.reference, refund.settled_by) == (
        "succeeded",
        "ICBC-OUT-7",
        manager,
    )
    with pytest.raises(Conflict):
        payments.complete_offline_refund(refund, colleague, "AGAIN")
    booking.refresh_from_db()
    assert booking.paid_amount == Decimal("0.00")


# --- Bank transfer, holds and rules ----------------------------------------------------------


def test_the_offline_answer_carries_payee_reference_amount_and_a_72_hour_deadline(
    approved, settings
):
    booking, startup, _manager, _colleague = approved
    institution = booking.instrument.institution
    institution.payee_account_name = "云岭理工大学"
    institution.payee_bank = "中国工商银行昆明分行"
    institution.payee_account_number = "2502 0000 1234 5678"
    institution.save()
    before = timezone.now()
    answer = services.pay(booking, startup, "offline", return_url="https://x.example/b")
    assert answer["payee"] == {
        "account_name": "云岭理工大学",
        "bank": "中国工商银行昆明分行",
        "account_number": "2502 0000 1234 5678",
    }
    assert answer["amount"] == {"amount": "900.00", "currency": "CNY"}
    booking.refresh_from_db()
    expected = min(before + dt.timedelta(hours=settings.OFFLINE_PAYMENT_HOLD_HOURS), booking.start)
    assert abs(booking.hold_expires_at - expected) < dt.timedelta(seconds=30)
    assert booking.hold_expires_at <= booking.start
    assert dt.datetime.fromisoformat(answer["deadline"]) == booking.hold_expires_at


def test_a_bank_transfer_hold_never_runs_past_the_slot_start(approved, settings):
    booking, startup, _manager, _colleague = approved
    soon = timezone.now() + dt.timedelta(hours=settings.OFFLINE_PAYMENT_HOLD_HOURS / 2)
    type(booking).objects.filter(pk=booking.pk).update(start=soon, end=soon + dt.timedelta(hours=2))
    answer = services.pay(booking, startup, "offline", return_url="https://x.example/b")
    booking.refresh_from_db()
    assert booking.hold_expires_at == booking.start == soon
    assert dt.datetime.fromisoformat(answer["deadline"]) == soon
    assert Payment.objects.get(pk=answer["payment"]).deadline == soon


def test_a_hold_that_ran_out_reads_expired_everywhere_and_a_late_confirmation_is_409(
    approved, client
):
    booking, startup, _manager, colleague = approved
    services.pay(booking, startup, "offline", return_url="https://x.example/b")
    type(booking).objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert api(startup).get(f"/api/v1/bookings/{booking.pk}/").json()["status"] == "expired"
    listed = api(startup).get("/api/v1/bookings/").json()["results"]
    assert [row["status"] for row in listed] == ["expired"]
    client.force_login(startup)
    assert "已过期" in client.get(f"/bookings/{booking.pk}/").content.decode()
    response = api(colleague).post(
        f"/api/v1/bookings/{booking.pk}/confirm-offline-payment/",
        {"reference": "LATE-1"},
        format="json",
    )
    assert response.status_code == 409
    # The pending transfer was withdrawn with the hold: nothing can be confirmed any more.
    assert not booking.payments.filter(status__in=["pending", "succeeded"]).exists()


@pytest.mark.parametrize("action", ["approve", "pay", "confirm"])
def test_approve_pay_and_confirm_after_the_start_are_409_started(booking_world, action):
    instrument, startup, manager, day = booking_world
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, institution=instrument.institution, role="staff")
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    if action != "approve":
        services.approve(booking, manager)
    if action == "confirm":
        services.pay(booking, startup, "offline", return_url="https://x.example/b")
    started = timezone.now() - dt.timedelta(minutes=5)
    type(booking).objects.filter(pk=booking.pk).update(
        start=started,
        end=started + dt.timedelta(hours=2),
        hold_expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    calls = {
        "approve": lambda: services.approve(booking, manager),
        "pay": lambda: services.pay(booking, startup, "offline", return_url="https://x/"),
        "confirm": lambda: services.confirm_offline_payment(booking, colleague, "REF-1"),
    }
    status_before = type(booking).objects.get(pk=booking.pk).status
    with pytest.raises(Conflict) as refused:
        calls[action]()
    assert refused.value.code == "started"
    assert type(booking).objects.get(pk=booking.pk).status == status_before


def test_a_member_cannot_confirm_the_transfer_of_their_own_booking(booking_world):
    instrument, _startup, manager, day = booking_world
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, institution=instrument.institution, role="staff")
    own = services.request_booking(manager, instrument, at(day, "14:00"), at(day, "16:00"))
    services.approve(own, colleague)
    services.pay(own, manager, "offline", return_url="https://x.example/b")
    response = api(manager).post(
        f"/api/v1/bookings/{own.pk}/confirm-offline-payment/", {"reference": "R"}, format="json"
    )
    assert response.status_code == 403
    assert "其他成员" in response.json()["detail"]
    own.refresh_from_db()
    assert own.status == Status.AWAITING_PAYMENT
    response = api(colleague).post(
        f"/api/v1/bookings/{own.pk}/confirm-offline-payment/", {"reference": "R"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"


# --- Vouchers --------------------------------------------------------------------------------


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("凭证.png", b"just some text, not an image", "voucher_not_image"),
        ("voucher.jpg", b"%PDF-1.4 a pdf renamed", "voucher_not_image"),
        ("../../etc/passwd.png", None, "attachment_bad_name"),
        ("big.png", "oversized", "attachment_too_large"),
    ],
)
def test_bad_voucher_files_are_refused_and_nothing_is_stored(
    approved, settings, name, content, code
):
    booking, startup, _manager, _colleague = approved
    settings.ATTACHMENT_MAX_BYTES = 1024
    if content is None:
        content = png_bytes()
    elif content == "oversized":
        content = png_bytes() + b"\0" * 2048
    answer = services.pay(booking, startup, "offline", return_url="https://x.example/b")
    payment = Payment.objects.get(pk=answer["payment"])
    # A File keeps the name as given (an upload's name is cut to its last part by Django).
    upload = (
        SimpleUploadedFile(name, content) if "/" not in name else File(io.BytesIO(content), name)
    )
    with pytest.raises(RuleError) as refused:
        payments.attach_voucher(payment, startup, upload, "P-1")
    assert refused.value.code == code
    payment.refresh_from_db()
    assert not payment.voucher and payment.payer_reference == ""


def test_a_real_png_voucher_is_kept_privately_for_the_payer_only(approved, settings):
    booking, startup, manager, _colleague = approved
    answer = services.pay(booking, startup, "offline", return_url="https://x.example/b")
    payment = Payment.objects.get(pk=answer["payment"])
    with pytest.raises(Forbidden):
        payments.attach_voucher(payment, manager, SimpleUploadedFile("v.png", png_bytes()), "")
    payments.attach_voucher(payment, startup, SimpleUploadedFile("回单.png", png_bytes()), "SN-88")
    payment.refresh_from_db()
    assert payment.payer_reference == "SN-88"
    assert payment.voucher.name.startswith(f"payment-vouchers/{payment.pk}/")
    stored = settings.PRIVATE_MEDIA_ROOT / payment.voucher.name
    assert stored.read_bytes() == png_bytes()
    assert not (settings.MEDIA_ROOT / payment.voucher.name).exists()


def test_a_transfer_arriving_after_a_card_payment_is_recorded_and_sent_back(approved):
    booking, _startup, _manager, colleague = approved
    card = Payment.objects.create(
        booking=booking,
        method="stripe",
        amount=booking.price,
        status="succeeded",
        stripe_session_id="cs_paid",
        stripe_payment_intent="pi_paid",
    )
    services._transition(booking, Status.CONFIRMED, None, "paid online")
    services.confirm_offline_payment(booking, colleague, "ICBC-LATE-1")
    transfer = Payment.objects.get(booking=booking, method="offline", kind="payment")
    assert (transfer.status, transfer.reference) == ("succeeded", "ICBC-LATE-1")
    (back,) = Payment.objects.filter(booking=booking, kind="refund")
    # The money that came late is the money given back, by the way it came.
    assert (back.refund_of, back.method, back.amount, back.status) == (
        transfer,
        "offline",
        Decimal("900.00"),
        "pending",
    )
    assert payments.refundable(card) == Decimal("900.00")
    # A cancel now refunds what is kept (¥900), not the ¥1800 received.
    _booking, refund = services.cancel(booking, colleague, "仪器故障")
    assert refund == Decimal("900.00")
    assert payments.refundable(card) == Decimal("0.00")
