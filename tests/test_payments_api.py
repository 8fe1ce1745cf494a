"""The money loop through the API: the bank-transfer journey end to end, statements with
totals, vouchers, refunds completed by the institution, payee details, 发票, and the
sample-testing quote version."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from marketplace.payments.models import Payment
from tests.booking_fixtures import at
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


def png_upload(name="回单.png", extra=b"") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (20, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue() + extra, content_type="image/png")


@pytest.fixture
def lab(booking_world):
    instrument, startup, manager, day = booking_world
    institution = instrument.institution
    institution.payee_account_name = "云岭理工大学"
    institution.payee_bank = "中国工商银行昆明分行"
    institution.payee_account_number = "2502 0000 1234 5678"
    institution.save()
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, institution=institution, role="staff")
    return instrument, startup, manager, colleague, day


def booked_and_approved(lab, hhmm=("09:00", "11:00")):
    instrument, startup, manager, _colleague, day = lab
    response = api(startup).post(
        "/api/v1/bookings/",
        {
            "instrument": instrument.code,
            "start": at(day, hhmm[0]).isoformat(),
            "end": at(day, hhmm[1]).isoformat(),
            "purpose": "表面形貌",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert api(manager).post(f"/api/v1/bookings/{pk}/approve/").status_code == 200
    return pk


def test_the_bank_transfer_journey_through_the_api(lab):
    instrument, startup, _manager, colleague, _day = lab
    payer, member = api(startup), api(colleague)
    pk = booked_and_approved(lab)

    paying = payer.post(f"/api/v1/bookings/{pk}/pay/", {"method": "offline"}, format="json")
    assert paying.status_code == 200, paying.json()
    answer = paying.json()
    assert answer["payee"] == {
        "account_name": "云岭理工大学",
        "bank": "中国工商银行昆明分行",
        "account_number": "2502 0000 1234 5678",
    }
    assert answer["reference_code"].startswith(f"B{pk:06d}-")
    assert answer["amount"] == {"amount": "900.00", "currency": "CNY"}
    assert answer["deadline"].endswith("+08:00")

    upload = payer.post(
        f"/api/v1/payments/{answer['payment']}/voucher/",
        {"file": png_upload(), "payer_reference": "ICBC-0001"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.json()
    assert (upload.json()["has_voucher"], upload.json()["payer_reference"]) == (True, "ICBC-0001")

    ledger = member.get("/api/v1/payments/").json()
    (row,) = ledger["results"]
    assert (row["reference_code"], row["payer_reference"]) == (
        answer["reference_code"],
        "ICBC-0001",
    )
    download = member.get(f"/api/v1/payments/{answer['payment']}/voucher/")
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"
    assert b"".join(download.streaming_content).startswith(b"\x89PNG")

    confirmed = member.post(
        f"/api/v1/bookings/{pk}/confirm-offline-payment/", {"reference": "IN-77"}, format="json"
    )
    assert confirmed.json()["status"] == "confirmed"
    cancelled = payer.post(f"/api/v1/bookings/{pk}/cancel/", {"reason": "改期"}, format="json")
    assert cancelled.json()["refund"] == {"amount": "900.00", "currency": "CNY"}

    (pending,) = member.get("/api/v1/refunds/").json()["results"]
    assert (pending["status"], pending["method"]) == ("pending", "offline")
    assert (
        payer.post(
            f"/api/v1/refunds/{pending['id']}/complete/", {"reference": "X"}, format="json"
        ).status_code
        == 403
    )
    done = member.post(
        f"/api/v1/refunds/{pending['id']}/complete/", {"reference": "OUT-88"}, format="json"
    )
    assert done.status_code == 200, done.json()

    seen = payer.get("/api/v1/refunds/").json()
    assert [(r["status"], r["reference"]) for r in seen["results"]] == [("succeeded", "OUT-88")]
    assert seen["totals"]["refunded"] == {"amount": "900.00", "currency": "CNY"}
    assert api(startup).get(f"/api/v1/bookings/{pk}/").json()["status"] == "cancelled"


@pytest.mark.parametrize(
    ("name", "content", "extra"),
    [
        ("凭证.png", b"renamed text, not an image", None),
        ("big.png", None, b"\0" * 4096),
        ("../../secret.png", None, b""),
        ("a\\..\\b.jpg", None, b""),
    ],
)
def test_bad_vouchers_are_400_naming_the_file_and_store_nothing(
    lab, settings, name, content, extra
):
    _instrument, startup, _manager, _colleague, _day = lab
    settings.ATTACHMENT_MAX_BYTES = 2048
    pk = booked_and_approved(lab)
    payer = api(startup)
    payment = payer.post(f"/api/v1/bookings/{pk}/pay/", {"method": "offline"}, format="json")
    payment_id = payment.json()["payment"]
    upload = (
        SimpleUploadedFile(name, content, content_type="image/png")
        if content is not None
        else png_upload(name, extra)
    )
    if "/" in name:
        # The test client would cut the name to its last part; a raw body keeps the path.
        boundary = "voucherboundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: image/png\r\n\r\n"
            ).encode()
            + upload.read()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        response = payer.generic(
            "POST",
            f"/api/v1/payments/{payment_id}/voucher/",
            body,
            content_type=f"multipart/form-data; boundary={boundary}",
        )
    else:
        response = payer.post(
            f"/api/v1/payments/{payment_id}/voucher/", {"file": upload}, format="multipart"
        )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["file"]
    assert not Payment.objects.get(pk=payment_id).voucher


def test_ledger_totals_equal_the_sum_of_the_rows_and_filters_hold(lab, settings):
    instrument, startup, manager, colleague, _day = lab
    member = api(colleague)
    for hhmm in (("09:00", "10:00"), ("10:00", "11:00"), ("14:00", "16:00")):
        pk = booked_and_approved(lab, hhmm)
        api(startup).post(f"/api/v1/bookings/{pk}/pay/", {"method": "offline"}, format="json")
        # Each transfer has its own bank reference (one already recorded is refused).
        member.post(
            f"/api/v1/bookings/{pk}/confirm-offline-payment/",
            {"reference": f"R-{hhmm[0]}"},
            format="json",
        )
    last = pk
    api(manager).post(f"/api/v1/bookings/{last}/cancel/", {"reason": "停电"}, format="json")
    ledger = member.get("/api/v1/payments/").json()
    rows = ledger["results"]
    assert ledger["count"] == len(rows) == 4
    received = sum(
        Decimal(r["amount"]["amount"])
        for r in rows
        if r["kind"] == "payment" and r["status"] == "succeeded"
    )
    pending_refunds = sum(
        Decimal(r["amount"]["amount"])
        for r in rows
        if r["kind"] == "refund" and r["status"] == "pending"
    )
    assert Decimal(ledger["totals"]["received"]["amount"]) == received == Decimal("1800.00")
    assert Decimal(ledger["totals"]["refunds_pending"]["amount"]) == pending_refunds
    assert pending_refunds == Decimal("900.00")
    assert ledger["totals"]["net"]["amount"] == "1800.00"

    succeeded = member.get("/api/v1/payments/", {"status": "succeeded"}).json()
    assert {r["status"] for r in succeeded["results"]} == {"succeeded"}
    assert succeeded["count"] == 3
    this_month = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert member.get("/api/v1/payments/", {"month": f"{this_month:%Y-%m}"}).json()["count"] == 4
    assert member.get("/api/v1/payments/", {"month": "2001-01"}).json()["count"] == 0
    bad = member.get("/api/v1/payments/", {"month": "soon"})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["month"]
    assert member.get("/api/v1/payments/", {"status": "x"}).status_code == 400
    for month in ("9999-12", "99999999999999999999-01", "2026-13", "2026-12-01"):
        response = member.get("/api/v1/payments/", {"month": month})
        assert response.status_code == 400, month
    assert member.get("/api/v1/payments/", {"month": "9999-11"}).status_code == 200
    for code in ("NOPE", "YL\x00U"):
        response = member.get("/api/v1/refunds/", {"institution": code})
        assert list(response.json()["errors"]) == ["institution"]
    assert member.get("/api/v1/payments/", {"institution": "YLU"}).json()["count"] == 4

    stranger = UserFactory(username="stranger")
    assert api(stranger).get("/api/v1/payments/").json()["count"] == 0
    other_lab = UserFactory(username="other-lab")
    MembershipFactory(user=other_lab, institution=InstitutionFactory(code="OTH"), role="manager")
    assert api(other_lab).get("/api/v1/refunds/").json()["count"] == 0
    refund_id = Payment.objects.get(kind="refund").pk
    response = api(other_lab).post(
        f"/api/v1/refunds/{refund_id}/complete/", {"reference": "X"}, format="json"
    )
    assert response.status_code == 404


def test_the_statement_query_count_is_pinned(lab, django_assert_num_queries):
    _instrument, startup, _manager, colleague, _day = lab
    for hhmm in (("09:00", "10:00"), ("10:00", "11:00"), ("14:00", "15:00")):
        pk = booked_and_approved(lab, hhmm)
        api(startup).post(f"/api/v1/bookings/{pk}/pay/", {"method": "offline"}, format="json")
    member = api(colleague)
    # token and user, moderator group, memberships, count, page, totals
    with django_assert_num_queries(6):
        response = member.get("/api/v1/payments/")
    assert response.json()["count"] == 3


def test_payee_details_are_set_by_a_manager_only(lab):
    instrument, _startup, manager, colleague, _day = lab
    url = f"/api/v1/institutions/{instrument.institution.code}/payee/"
    body = {"account_name": "云岭理工大学财务处", "bank": "建设银行", "account_number": "6217 0001"}
    assert api(colleague).put(url, body, format="json").status_code == 403
    assert api(UserFactory(username="x")).put(url, body, format="json").status_code == 404
    bad = api(manager).put(url, {**body, "account_number": "<script>"}, format="json")
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["account_number"]
    response = api(manager).put(url, body, format="json")
    assert response.json() == body
    instrument.institution.refresh_from_db()
    assert instrument.institution.payee_bank == "建设银行"


def test_an_invoice_asked_with_payment_is_issued_by_a_member_and_both_see_it(lab):
    _instrument, startup, _manager, colleague, _day = lab
    pk = booked_and_approved(lab)
    invoice = {
        "title": "昆明某某科技有限公司",
        "tax_id": "91530100MA6K5X2Y3U",
        "kind": "special",
        "email": "finance@startup.example",
    }
    paying = api(startup).post(
        f"/api/v1/bookings/{pk}/pay/", {"method": "offline", "invoice": invoice}, format="json"
    )
    assert paying.status_code == 200, paying.json()
    payment_id = paying.json()["payment"]
    assert (
        api(startup)
        .post(
            f"/api/v1/payments/{payment_id}/invoice/issue/",
            {"number": "1", "issued_on": "2026-12-05"},
            format="json",
        )
        .status_code
        == 403
    )
    issued = api(colleague).post(
        f"/api/v1/payments/{payment_id}/invoice/issue/",
        {"number": "05320012", "issued_on": "2026-12-05"},
        format="json",
    )
    assert issued.status_code == 200, issued.json()
    (row,) = api(startup).get("/api/v1/payments/").json()["results"]
    assert row["invoice"]["status"] == "issued"
    assert (row["invoice"]["number"], row["invoice"]["title"]) == ("05320012", invoice["title"])


def test_accepting_a_stale_quote_is_409_and_keeps_the_price_seen(api_client):
    from marketplace.sampletesting import services as sample
    from marketplace.sampletesting.models import SampleOrder
    from tests.factories import InstrumentFactory

    institution = InstitutionFactory(code="LAB")
    manager = UserFactory(username="lab-manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    requester = UserFactory(username="requester")
    instrument = InstrumentFactory(institution=institution, offers_sample_testing=True)
    order = sample.request_order(
        requester, instrument, sample_count=2, sample_description="两片硅片", test_items="SEM 形貌"
    )
    sample.quote(order, manager, Decimal("600.00"), 5)
    seen = api(requester).get(f"/api/v1/sample-orders/{order.pk}/").json()
    assert seen["quote_version"] == 1
    sample.quote(order, manager, Decimal("9999999.00"), 5)  # re-quoted in between
    stale = api(requester).post(
        f"/api/v1/sample-orders/{order.pk}/accept-quote/",
        {"quote_version": seen["quote_version"]},
        format="json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_quote"
    assert SampleOrder.objects.get(pk=order.pk).status == "quoted"
    fresh = api(requester).post(
        f"/api/v1/sample-orders/{order.pk}/accept-quote/", {"quote_version": 2}, format="json"
    )
    assert fresh.json()["status"] == "awaiting_payment"
    assert fresh.json()["price"] == {"amount": "9999999.00", "currency": "CNY"}
