"""The money loop on the pages: the payment panel of a booking and of a sample order, the
voucher form, the record-refund form, the payer's history and the institution's ledger with
its CSV export (Chinese intact, UTF-8 BOM, formulas disarmed)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.bookings import services
from marketplace.payments.models import Payment
from tests.booking_fixtures import at
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (6, 6), (0, 90, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile("网银回单.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def transfer(booking_world):
    """A booking awaiting a bank transfer to an institution with payee details."""
    instrument, startup, manager, day = booking_world
    institution = instrument.institution
    institution.payee_account_name = "云岭理工大学"
    institution.payee_bank = "中国工商银行昆明分行"
    institution.payee_account_number = "2502 0000 1234 5678"
    institution.save()
    colleague = UserFactory(username="colleague")
    MembershipFactory(user=colleague, institution=institution, role="staff")
    booking = services.request_booking(startup, instrument, at(day, "09:00"), at(day, "11:00"))
    services.approve(booking, manager)
    answer = services.pay(booking, startup, "offline", return_url="https://x.example/")
    return booking, startup, manager, colleague, Payment.objects.get(pk=answer["payment"])


def test_the_payer_sees_payee_reference_amount_deadline_and_uploads_a_voucher(client, transfer):
    booking, startup, _manager, colleague, payment = transfer
    client.force_login(startup)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    for shown in ("云岭理工大学", "中国工商银行昆明分行", "2502 0000 1234 5678", "¥900.00"):
        assert shown in page
    assert payment.reference_code in page
    assert 'id="transfer-deadline"' in page
    assert 'id="upload-voucher"' in page
    response = client.post(
        f"/payments/{payment.pk}/voucher/", {"file": png(), "payer_reference": "ICBC-42"}
    )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.payer_reference == "ICBC-42" and payment.voucher

    client.force_login(colleague)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "ICBC-42" in page and 'id="voucher-link"' in page
    assert 'id="upload-voucher"' not in page
    download = client.get(f"/payments/{payment.pk}/voucher/")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"
    client.force_login(UserFactory(username="nosy"))
    assert client.get(f"/payments/{payment.pk}/voucher/").status_code == 404


def test_a_bad_voucher_on_the_page_is_a_message_not_an_error(client, transfer):
    booking, startup, _manager, _colleague, payment = transfer
    client.force_login(startup)
    response = client.post(
        f"/payments/{payment.pk}/voucher/",
        {"file": SimpleUploadedFile("x.png", b"not an image", content_type="image/png")},
        follow=True,
    )
    assert response.status_code == 200
    assert "不是有效的 JPEG/PNG 图片" in response.content.decode()
    payment.refresh_from_db()
    assert not payment.voucher


def test_a_member_records_the_refund_on_the_page_and_the_payer_sees_it(client, transfer):
    booking, startup, manager, colleague, _payment = transfer
    services.confirm_offline_payment(booking, colleague, "IN-1")
    services.cancel(booking, manager, "仪器维修")
    refund = Payment.objects.get(kind="refund")
    client.force_login(startup)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert f'id="refund-{refund.pk}"' in page and "处理中" in page
    assert "record-refund" not in page
    assert client.post(f"/refunds/{refund.pk}/complete/", {"reference": "X"}).status_code == 302
    refund.refresh_from_db()
    assert refund.status == "pending"  # the payer cannot record it

    client.force_login(colleague)
    assert "record-refund" in client.get(f"/bookings/{booking.pk}/").content.decode()
    client.post(f"/refunds/{refund.pk}/complete/", {"reference": "OUT-2026-9"})
    refund.refresh_from_db()
    assert (refund.status, refund.reference) == ("succeeded", "OUT-2026-9")
    client.force_login(startup)
    page = client.get(f"/bookings/{booking.pk}/").content.decode()
    assert "OUT-2026-9" in page
    assert "成功" in page


def test_the_ledger_totals_equal_its_rows_and_the_csv_keeps_chinese(client, transfer):
    booking, startup, manager, colleague, payment = transfer
    services.confirm_offline_payment(booking, colleague, "=HYPERLINK(1)")
    services.cancel(booking, manager, "停电")
    client.force_login(colleague)
    page = client.get("/institutions/YLU/ledger/")
    assert page.status_code == 200
    rows = page.context["page"].object_list
    totals = page.context["totals"]
    received = sum(r.amount for r in rows if r.kind == "payment" and r.status == "succeeded")
    assert totals["received"] == received == Decimal("900.00")
    assert totals["refunds_pending"] == Decimal("900.00")
    assert 'id="save-payee"' not in page.content.decode()  # staff, not manager

    export = client.get("/institutions/YLU/ledger/", {"format": "csv"})
    body = export.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert lines[0][0] == "时间"
    assert len(lines) == 1 + len(rows)
    assert any("扫描电镜" in cell for line in lines for cell in line)
    assert [c for line in lines for c in line if "HYPERLINK" in c] == ["'=HYPERLINK(1)"]
    assert sum(Decimal(line[4]) for line in lines[1:] if line[1] == "付款") == received

    assert (
        client.get("/institutions/YLU/ledger/", {"month": "2001-01"})
        .context["page"]
        .paginator.count
        == 0
    )
    assert client.get("/institutions/YLU/ledger/", {"month": "bad"}).status_code == 200
    client.force_login(startup)
    assert client.get("/institutions/YLU/ledger/").status_code == 404
    other = UserFactory(username="other")
    MembershipFactory(user=other, institution=InstitutionFactory(code="OTH"), role="manager")
    client.force_login(other)
    assert client.get("/institutions/YLU/ledger/").status_code == 404


def test_a_manager_sets_payee_details_on_the_ledger_page(client, transfer):
    _booking, _startup, manager, colleague, _payment = transfer
    client.force_login(colleague)
    body = {"account_name": "云岭理工大学财务处", "bank": "建设银行", "account_number": "6217 01"}
    client.post("/institutions/YLU/payee/", body)
    manager.memberships.get().institution.refresh_from_db()
    assert manager.memberships.get().institution.payee_bank == "中国工商银行昆明分行"
    client.force_login(manager)
    assert 'id="save-payee"' in client.get("/institutions/YLU/ledger/").content.decode()
    client.post("/institutions/YLU/payee/", body)
    assert manager.memberships.get().institution.payee_bank == "建设银行"


def test_the_payers_history_lists_only_their_own_payments(client, transfer):
    booking, startup, _manager, colleague, payment = transfer
    client.force_login(startup)
    page = client.get("/payments/")
    assert [row.pk for row in page.context["page"].object_list] == [payment.pk]
    assert payment.reference_code in page.content.decode()
    client.force_login(colleague)  # a member of the paid institution, not a payer
    assert list(client.get("/payments/").context["page"].object_list) == []


def test_the_sample_order_page_shows_the_transfer_and_accepts_the_quote_seen(client):
    from marketplace.sampletesting import services as sample
    from tests.factories import InstrumentFactory

    institution = InstitutionFactory(code="LAB", payee_bank="农业银行")
    manager = UserFactory(username="lab-manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    requester = UserFactory(username="requester")
    instrument = InstrumentFactory(institution=institution)
    order = sample.request_order(
        requester, instrument, sample_count=1, sample_description="粉末", test_items="XRD"
    )
    sample.quote(order, manager, Decimal("300.00"), 3)
    client.force_login(requester)
    page = client.get(f"/sample-orders/{order.pk}/").content.decode()
    assert 'name="quote_version" value="1"' in page
    sample.quote(order, manager, Decimal("3000.00"), 3)  # re-quoted while the page was open
    response = client.post(f"/sample-orders/{order.pk}/accept_quote/", {"quote_version": 1})
    assert "报价已更新" in client.get(response["Location"]).content.decode()
    order.refresh_from_db()
    assert order.status == "quoted"
    client.post(f"/sample-orders/{order.pk}/accept_quote/", {"quote_version": 2})
    client.post(f"/sample-orders/{order.pk}/pay/", {"method": "offline"})
    page = client.get(f"/sample-orders/{order.pk}/").content.decode()
    code = order.payments.get().reference_code
    assert code in page and "农业银行" in page and "¥3,000.00" in page


def test_the_money_pages_read_in_english(client, transfer):
    booking, startup, _manager, colleague, _payment = transfer
    client.force_login(colleague)
    ledger = client.get("/institutions/YLU/ledger/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Received" in ledger and "Payee details are kept" in ledger
    client.force_login(startup)
    page = client.get(f"/bookings/{booking.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Bank transfer details" in page and "Upload the transfer voucher" in page
    assert "My payments" in client.get("/payments/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
