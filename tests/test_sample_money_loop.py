"""Sample-testing orders share the money loop of bookings (issue 13), scenario by scenario: the
payment hold (short while paying online, OFFLINE_PAYMENT_HOLD_HOURS once bank transfer is
chosen), expired on read with a late confirmation refused, never charged twice, refunds split
over charges and completed by the institution, self-confirmation refused, bad vouchers refused,
and the bank-transfer journey through the API.

Stripe scenarios run against stripe-mock; only "is this session paid now?" is answered by the
test (stripe-mock never completes a Checkout Session), as in tests/test_money_loop.py.
"""

# The Stripe fixtures are imported from tests/test_money_loop.py and named as parameters.
# ruff: noqa: F811

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace.payments import payables
from marketplace.payments import services as payments
from marketplace.payments.models import Payment
from marketplace.sampletesting import services
from marketplace.sampletesting.models import SampleOrder, Status
from marketplace.workflow import Conflict, RuleError
from tests.factories import (
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    UserFactory,
)
from tests.test_booking_stripe import SECRET
from tests.test_money_loop import (  # noqa: F401 — fixtures
    api,
    expired_at_stripe,
    stripe_says,
    webhook,
)
from tests.test_payments_api import png_upload

pytestmark = pytest.mark.django_db

PRICE = Decimal("900.00")


@pytest.fixture
def lab(settings):
    """An XRD lab with payee details, its manager and a second member who confirms, and a
    founder who orders."""
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    institution = InstitutionFactory(
        code="YLU",
        name="云岭理工大学",
        payee_account_name="云岭理工大学",
        payee_bank="中国工商银行昆明分行",
        payee_account_number="2502 0000 1234 5678",
    )
    instrument = InstrumentFactory(
        institution=institution,
        code="YLU-XRD-01",
        name="X射线衍射仪",
        offers_sample_testing=True,
        price_per_sample=Decimal("300.00"),
    )
    startup = UserFactory(username="founder")
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, institution=institution, role="staff")
    return instrument, startup, manager, colleague


def accepted(lab, requester=None, quoter=None) -> SampleOrder:
    """A ¥900.00 quote accepted: the order awaits payment."""
    instrument, startup, manager, _colleague = lab
    requester = requester or startup
    order = services.request_order(
        requester, instrument, sample_count=3, sample_description="正极粉末", test_items="XRD"
    )
    services.quote(order, quoter or manager, PRICE, 5)
    return services.accept_quote(order, requester, version=1)


@pytest.fixture
def awaiting(lab):
    return accepted(lab)


def run_out(order: SampleOrder) -> None:
    SampleOrder.objects.filter(pk=order.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )


def paid_at_stripe(client, capture, stripe_says, session: dict, event_id: str) -> None:
    """Stripe now says the session is paid, and its checkout.session.completed arrives."""
    stripe_says[session["session_id"]] = f"pi_{event_id}"
    webhook(client, capture, event_id, "checkout.session.completed", {"id": session["session_id"]})


def near(value: dt.datetime, expected: dt.datetime) -> bool:
    return abs(value - expected) < dt.timedelta(seconds=30)


# --- The hold ----------------------------------------------------------------------------------


def test_an_accepted_quote_is_held_briefly_and_bank_transfer_extends_the_hold(
    lab, awaiting, settings, client
):
    _instrument, startup, _manager, _colleague = lab
    assert near(
        awaiting.hold_expires_at,
        timezone.now() + dt.timedelta(minutes=settings.BOOKING_PAYMENT_HOLD_MINUTES),
    )
    answer = api(startup).post(
        f"/api/v1/sample-orders/{awaiting.pk}/pay/", {"method": "offline"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    answer = answer.json()
    assert answer["payee"] == {
        "account_name": "云岭理工大学",
        "bank": "中国工商银行昆明分行",
        "account_number": "2502 0000 1234 5678",
    }
    assert answer["reference_code"].startswith(f"S{awaiting.pk:06d}-")
    assert answer["amount"] == {"amount": "900.00", "currency": "CNY"}
    awaiting.refresh_from_db()
    assert near(
        awaiting.hold_expires_at,
        timezone.now() + dt.timedelta(hours=settings.OFFLINE_PAYMENT_HOLD_HOURS),
    )
    assert answer["deadline"].endswith("+08:00")
    assert dt.datetime.fromisoformat(answer["deadline"]) == awaiting.hold_expires_at
    assert Payment.objects.get(pk=answer["payment"]).deadline == awaiting.hold_expires_at
    detail = api(startup).get(f"/api/v1/sample-orders/{awaiting.pk}/").json()
    assert detail["hold_expires_at"] == answer["deadline"]
    # The pay page shows the same deadline (Asia/Shanghai) beside payee and 汇款附言.
    client.force_login(startup)
    page = client.get(f"/sample-orders/{awaiting.pk}/").content.decode()
    shown = timezone.localtime(awaiting.hold_expires_at).strftime("%Y-%m-%d %H:%M")
    assert f'<dd id="transfer-deadline">{shown}</dd>' in page
    assert answer["reference_code"] in page and "2502 0000 1234 5678" in page


def test_choosing_bank_transfer_again_does_not_hold_the_order_for_ever(lab, awaiting, settings):
    """The offline hold counts from the first time bank transfer was chosen."""
    _instrument, startup, _manager, _colleague = lab
    first = services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    # As if bank transfer had been chosen two days ago.
    two_days_ago = timezone.now() - dt.timedelta(days=2)
    held_until = two_days_ago + dt.timedelta(hours=settings.OFFLINE_PAYMENT_HOLD_HOURS)
    Payment.objects.filter(pk=first["payment"]).update(created_at=two_days_ago, deadline=held_until)
    SampleOrder.objects.filter(pk=awaiting.pk).update(hold_expires_at=held_until)
    again = services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    awaiting.refresh_from_db()
    assert again["reference_code"] == first["reference_code"]
    assert awaiting.hold_expires_at == held_until
    assert dt.datetime.fromisoformat(again["deadline"]) == awaiting.hold_expires_at


def test_a_late_transfer_on_an_order_a_subsidy_partly_covers_is_refunded_not_refused(
    lab, awaiting, monkeypatch
):
    """The requester owes the quote less what a subsidy (创新券) covers: a second transfer of
    that share is an over-payment sent back, as for bookings — not a 409."""
    _instrument, startup, _manager, colleague = lab
    covers = [lambda order: Decimal("600.00") if order.pk == awaiting.pk else Decimal("0.00")]
    monkeypatch.setattr(payables, "_COVERS", covers)
    answer = services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    assert answer["amount"] == {"amount": "300.00", "currency": "CNY"}
    services.confirm_offline_payment(awaiting, colleague, "ICBC-SHARE-1")
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.paid_amount) == (Status.CONFIRMED, Decimal("300.00"))
    services.confirm_offline_payment(awaiting, colleague, "ICBC-SHARE-2")
    late = awaiting.payments.get(reference="ICBC-SHARE-2")
    assert (late.status, late.amount) == ("succeeded", Decimal("300.00"))
    refund = awaiting.payments.get(kind="refund")
    assert (refund.refund_of, refund.amount, refund.status) == (late, Decimal("300.00"), "pending")
    assert payments.kept_total(awaiting) == Decimal("300.00")


@pytest.mark.stripe
def test_paying_online_keeps_the_short_hold(lab, awaiting):
    _instrument, startup, _manager, _colleague = lab
    before = awaiting.hold_expires_at
    services.pay(awaiting, startup, "stripe", return_url="https://x.example/s")
    awaiting.refresh_from_db()
    assert awaiting.hold_expires_at == before


def test_a_hold_that_ran_out_reads_expired_everywhere_and_a_late_confirmation_is_409(
    lab, awaiting, client
):
    _instrument, startup, manager, colleague = lab
    services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    run_out(awaiting)
    assert api(startup).get(f"/api/v1/sample-orders/{awaiting.pk}/").json()["status"] == "expired"
    listed = api(colleague).get("/api/v1/sample-orders/").json()["results"]
    assert [(row["id"], row["status"]) for row in listed] == [(awaiting.pk, "expired")]
    client.force_login(startup)
    assert "已过期" in client.get(f"/sample-orders/{awaiting.pk}/").content.decode()
    assert "已过期" in client.get("/sample-orders/").content.decode()
    response = api(colleague).post(
        f"/api/v1/sample-orders/{awaiting.pk}/confirm-offline-payment/",
        {"reference": "LATE-1"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "expired"
    response = api(startup).post(
        f"/api/v1/sample-orders/{awaiting.pk}/pay/", {"method": "offline"}, format="json"
    )
    assert response.status_code == 409
    # The pending transfer was withdrawn with the hold: nothing can be confirmed any more.
    assert not awaiting.payments.filter(status__in=["pending", "succeeded"]).exists()
    awaiting.refresh_from_db()
    assert awaiting.hold_expires_at is None
    assert awaiting.transitions.last().to_status == Status.EXPIRED


def test_a_confirmation_that_finds_the_hold_run_out_expires_it_and_is_refused(lab, awaiting):
    """No page read it first: the confirming service itself finds the hold over."""
    _instrument, startup, _manager, colleague = lab
    services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    run_out(awaiting)
    with pytest.raises(Conflict) as refused:
        services.confirm_offline_payment(awaiting, colleague, "LATE-2")
    assert refused.value.code == "expired"
    awaiting.refresh_from_db()
    assert awaiting.status == Status.EXPIRED  # saved although the action was refused
    assert not awaiting.payments.filter(status="succeeded").exists()


def test_the_periodic_sweep_expires_sample_orders_nobody_reads(lab, awaiting):
    """`expire_bookings` (every 5 minutes) sweeps every payable's holds, not only bookings':
    an order whose hold ran out is expired, the requester told, though no page showed it."""
    from django.core.management import call_command

    from marketplace.notifications.models import Notification

    _instrument, startup, _manager, _colleague = lab
    run_out(awaiting)
    told = Notification.objects.filter(user=startup, url=awaiting.get_absolute_url())
    before = told.count()
    out = io.StringIO()
    call_command("expire_bookings", stdout=out)
    awaiting.refresh_from_db()
    assert awaiting.status == Status.EXPIRED
    assert awaiting.transitions.last().to_status == Status.EXPIRED
    assert told.count() == before + 1
    assert "sampleorder 1" in out.getvalue()


def test_a_hold_still_running_is_not_expired_by_reading(lab, awaiting):
    _instrument, startup, _manager, _colleague = lab
    assert services.get_order_for(startup, awaiting.pk).status == Status.AWAITING_PAYMENT
    assert services.HOLDS.expire_listed(SampleOrder.objects.all()) == 0


@pytest.mark.stripe
def test_a_card_payment_arriving_after_the_hold_ran_out_goes_back(
    client,
    lab,
    awaiting,
    stripe_says,
    django_capture_on_commit_callbacks,
):
    _instrument, startup, _manager, _colleague = lab
    session = services.pay(awaiting, startup, "stripe", return_url="https://x.example/s")
    run_out(awaiting)
    assert services.get_order_for(startup, awaiting.pk).status == Status.EXPIRED
    paid_at_stripe(client, django_capture_on_commit_callbacks, stripe_says, session, "evt_late")
    refund = Payment.objects.get(sample_order=awaiting, kind="refund")
    assert (refund.refund_of_id, refund.amount, refund.status) == (
        session["payment"],
        PRICE,
        "succeeded",
    )
    awaiting.refresh_from_db()
    assert awaiting.status == Status.EXPIRED and awaiting.paid_amount == Decimal("0.00")


# --- Never charged twice -----------------------------------------------------------------------


@pytest.mark.stripe
def test_a_second_session_expires_the_first_and_a_late_payment_of_it_is_refunded(
    client,
    lab,
    awaiting,
    stripe_says,
    expired_at_stripe,
    django_capture_on_commit_callbacks,
):
    _instrument, startup, _manager, _colleague = lab
    first = services.pay(awaiting, startup, "stripe", return_url="https://x.example/s")
    second = services.pay(awaiting, startup, "stripe", return_url="https://x.example/s")
    assert expired_at_stripe == [first["session_id"]]
    assert Payment.objects.get(pk=first["payment"]).status == "cancelled"
    paid_at_stripe(client, django_capture_on_commit_callbacks, stripe_says, second, "evt_s2")
    awaiting.refresh_from_db()
    assert awaiting.status == Status.CONFIRMED
    # The first session had been paid before Stripe could expire it: its event arrives late.
    paid_at_stripe(client, django_capture_on_commit_callbacks, stripe_says, first, "evt_s1")
    refund = Payment.objects.get(sample_order=awaiting, kind="refund")
    assert (refund.refund_of_id, refund.amount, refund.status) == (
        first["payment"],
        PRICE,
        "succeeded",
    )
    assert refund.stripe_refund_id.startswith("re_")
    awaiting.refresh_from_db()
    assert awaiting.paid_amount == PRICE


@pytest.mark.stripe
def test_card_then_transfer_withdraws_the_session_and_a_late_card_payment_goes_back(
    client,
    lab,
    awaiting,
    stripe_says,
    expired_at_stripe,
    django_capture_on_commit_callbacks,
):
    _instrument, startup, _manager, colleague = lab
    card = services.pay(awaiting, startup, "stripe", return_url="https://x.example/s")
    transfer = services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    assert expired_at_stripe == [card["session_id"]]
    assert Payment.objects.get(pk=card["payment"]).status == "cancelled"
    services.confirm_offline_payment(awaiting, colleague, "ICBC-S-01")
    paid_at_stripe(client, django_capture_on_commit_callbacks, stripe_says, card, "evt_card_s")
    refund = Payment.objects.get(sample_order=awaiting, kind="refund")
    assert (refund.refund_of_id, refund.method, refund.amount, refund.status) == (
        card["payment"],
        "stripe",
        PRICE,
        "succeeded",
    )
    awaiting.refresh_from_db()
    assert awaiting.status == Status.CONFIRMED and awaiting.paid_amount == PRICE
    assert Payment.objects.get(pk=transfer["payment"]).status == "succeeded"


# --- Refunds that finish -----------------------------------------------------------------------


@pytest.mark.stripe
def test_cancelling_an_order_paid_by_two_charges_splits_the_refund_one_per_charge(
    lab, awaiting, django_capture_on_commit_callbacks
):
    _instrument, startup, _manager, _colleague = lab
    older, newer = (
        Payment.objects.create(
            sample_order=awaiting,
            method="stripe",
            amount=Decimal("450.00"),
            status="succeeded",
            stripe_session_id=f"cs_{name}",
            stripe_payment_intent=f"pi_{name}",
        )
        for name in ("older", "newer")
    )
    SampleOrder.objects.filter(pk=awaiting.pk).update(status=Status.CONFIRMED)
    with django_capture_on_commit_callbacks(execute=True):
        _order, refunded = services.cancel(awaiting, startup, "改用其他方法")
    assert refunded == PRICE
    refunds = Payment.objects.filter(kind="refund").order_by("pk")
    assert [(r.refund_of, r.amount, r.status) for r in refunds] == [
        (newer, Decimal("450.00"), "succeeded"),
        (older, Decimal("450.00"), "succeeded"),
    ]
    assert len({r.stripe_refund_id for r in refunds}) == 2
    assert all(r.stripe_refund_id.startswith("re_") for r in refunds)
    awaiting.refresh_from_db()
    assert awaiting.paid_amount == Decimal("0.00")


def test_the_sample_bank_transfer_journey_through_the_api(lab):
    instrument, startup, manager, colleague = lab
    payer, member = api(startup), api(colleague)
    created = payer.post(
        f"/api/v1/instruments/{instrument.code}/sample-orders/",
        {"sample_count": 3, "sample_description": "正极粉末", "test_items": "物相分析"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    quoted = api(manager).post(
        f"/api/v1/sample-orders/{pk}/quote/",
        {"price": "900.00", "turnaround_days": 5},
        format="json",
    )
    assert quoted.status_code == 200, quoted.content
    accepted_now = payer.post(
        f"/api/v1/sample-orders/{pk}/accept-quote/", {"quote_version": 1}, format="json"
    )
    assert accepted_now.json()["status"] == "awaiting_payment"

    answer = payer.post(f"/api/v1/sample-orders/{pk}/pay/", {"method": "offline"}, format="json")
    assert answer.status_code == 200, answer.content
    answer = answer.json()
    assert answer["payee"]["bank"] == "中国工商银行昆明分行"
    assert answer["reference_code"].startswith(f"S{pk:06d}-")
    assert answer["deadline"]
    upload = payer.post(
        f"/api/v1/payments/{answer['payment']}/voucher/",
        {"file": png_upload(), "reference": "ICBC-S-0001"},  # API.md's name
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    (row,) = member.get("/api/v1/payments/").json()["results"]
    assert (row["reference_code"], row["payer_reference"], row["has_voucher"]) == (
        answer["reference_code"],
        "ICBC-S-0001",
        True,
    )
    download = member.get(f"/api/v1/payments/{answer['payment']}/voucher/")
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")

    confirmed = member.post(
        f"/api/v1/sample-orders/{pk}/confirm-offline-payment/",
        {"reference": "IN-S-77"},
        format="json",
    )
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["status"], confirmed.json()["hold_expires_at"]) == ("confirmed", None)
    cancelled = payer.post(f"/api/v1/sample-orders/{pk}/cancel/", {"reason": "改期"}, format="json")
    assert cancelled.json()["refund"] == {"amount": "900.00", "currency": "CNY"}

    (pending,) = member.get("/api/v1/refunds/").json()["results"]
    assert (pending["status"], pending["method"]) == ("pending", "offline")
    refused = payer.post(
        f"/api/v1/refunds/{pending['id']}/complete/", {"reference": "X"}, format="json"
    )
    assert refused.status_code == 403
    done = member.post(
        f"/api/v1/refunds/{pending['id']}/complete/", {"reference": "OUT-S-88"}, format="json"
    )
    assert done.status_code == 200, done.content
    seen = payer.get("/api/v1/refunds/").json()
    assert [(r["status"], r["reference"]) for r in seen["results"]] == [("succeeded", "OUT-S-88")]
    assert seen["totals"]["refunded"] == {"amount": "900.00", "currency": "CNY"}
    assert payer.get(f"/api/v1/sample-orders/{pk}/").json()["status"] == "cancelled"
    assert SampleOrder.objects.get(pk=pk).paid_amount == Decimal("0.00")


# --- Rules -------------------------------------------------------------------------------------


def test_a_member_cannot_confirm_the_transfer_of_their_own_order(lab):
    _instrument, _startup, manager, colleague = lab
    own = accepted(lab, requester=manager, quoter=colleague)
    services.pay(own, manager, "offline", return_url="https://x.example/s")
    response = api(manager).post(
        f"/api/v1/sample-orders/{own.pk}/confirm-offline-payment/",
        {"reference": "SELF-1"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "self_confirmation"
    assert "其他成员" in response.json()["detail"]
    own.refresh_from_db()
    assert own.status == Status.AWAITING_PAYMENT
    assert not own.payments.filter(status="succeeded").exists()
    response = api(colleague).post(
        f"/api/v1/sample-orders/{own.pk}/confirm-offline-payment/",
        {"reference": "SELF-1"},
        format="json",
    )
    assert response.json()["status"] == "confirmed"


@pytest.mark.parametrize(
    ("name", "extra", "text"),
    [
        ("凭证.png", b"", b"renamed text, not an image"),
        ("big.png", b"\0" * 4096, None),
    ],
)
def test_bad_vouchers_for_an_order_are_400_and_store_nothing(
    lab, awaiting, settings, name, extra, text
):
    _instrument, startup, _manager, _colleague = lab
    settings.ATTACHMENT_MAX_BYTES = 1024
    answer = services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    upload = png_upload(name, extra)
    if text is not None:
        upload = SimpleUploadedFile(name, text, content_type="image/png")
    response = api(startup).post(
        f"/api/v1/payments/{answer['payment']}/voucher/",
        {"file": upload, "payer_reference": "P-1"},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["file"]
    payment = Payment.objects.get(pk=answer["payment"])
    assert not payment.voucher and payment.payer_reference == ""


def test_a_voucher_named_with_a_path_is_refused_for_an_order(lab, awaiting):
    """The test client cuts an upload's name to its last part; a File keeps the path."""
    _instrument, startup, _manager, _colleague = lab
    answer = services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    payment = Payment.objects.get(pk=answer["payment"])
    upload = File(io.BytesIO(png_upload().read()), "../../secret.png")
    with pytest.raises(RuleError) as refused:
        payments.attach_voucher(payment, startup, upload, "P-1")
    assert refused.value.code == "attachment_bad_name"
    payment.refresh_from_db()
    assert not payment.voucher


def test_the_ledger_totals_and_csv_cover_sample_orders(lab, awaiting, client):
    _instrument, startup, _manager, colleague = lab
    services.pay(awaiting, startup, "offline", return_url="https://x.example/s")
    services.confirm_offline_payment(awaiting, colleague, "ICBC-S-09")
    services.cancel(awaiting, startup, "改期")
    client.force_login(colleague)
    page = client.get("/institutions/YLU/ledger/")
    rows = page.context["page"].object_list
    totals = page.context["totals"]
    assert totals["received"] == sum(
        r.amount for r in rows if r.kind == "payment" and r.status == "succeeded"
    )
    assert totals["refunds_pending"] == sum(
        r.amount for r in rows if r.kind == "refund" and r.status == "pending"
    )
    assert (totals["received"], totals["refunds_pending"]) == (PRICE, PRICE)
    body = client.get("/institutions/YLU/ledger/", {"format": "csv"}).content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "X射线衍射仪" in text and "ICBC-S-09" in text
