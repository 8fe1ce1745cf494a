"""The bank-transfer journey in real headless Chromium (issue 13): book → approve → the payer
sees payee and 汇款附言 → uploads the voucher → another member confirms → the payer cancels →
a member records the refund → the payer sees it refunded; and the same for a sample-testing
order."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from marketplace.bookings.models import Booking
from marketplace.catalogue.models import RefundTier
from marketplace.sampletesting.models import SampleOrder
from tests.factories import (
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    OpeningIntervalFactory,
    UserFactory,
)
from tests.test_booking_browser import browser, sign_in  # noqa: F401 — the browser fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (240, 240, 240)).save(buffer, format="PNG")
    return buffer.getvalue()


def as_user(browser, base, username):  # noqa: F811 — `browser` is the fixture's value
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, username)
    return context, page


def submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def payee_institution():
    return InstitutionFactory(
        code="YLU",
        name="云岭理工大学",
        payee_account_name="云岭理工大学",
        payee_bank="中国工商银行昆明分行",
        payee_account_number="2502 0000 1234 5678",
    )


def lab_people(institution) -> None:
    """The founder who pays, the lab's manager, and a staff member who confirms."""
    UserFactory(username="founder")
    manager = UserFactory(username="labmanager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    colleague = UserFactory(username="labstaff")
    MembershipFactory(user=colleague, institution=institution, role="staff")


def transfer_with_voucher(page, *, amount: str, code_prefix: str, payer_reference: str) -> str:
    """On the pay page after choosing bank transfer: payee, amount, 汇款附言 and deadline are
    shown; the payer uploads a voucher with their reference. The 汇款附言."""
    assert page.inner_text("#payee-bank") == "中国工商银行昆明分行"
    assert page.inner_text("#payee-account") == "2502 0000 1234 5678"
    assert page.inner_text("#transfer-amount") == amount
    code = page.inner_text("#reference-code")
    assert code.startswith(code_prefix)
    assert page.inner_text("#transfer-deadline")
    page.set_input_files(
        "#voucher-file", {"name": "网银回单.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    page.fill("#payer-reference-input", payer_reference)
    submit(page, "#upload-voucher")
    assert page.inner_text("#payer-reference") == payer_reference
    return code


def another_member_confirms(browser, base, url, code, reference):  # noqa: F811
    """A staff member sees the 汇款附言, downloads the voucher and confirms the transfer."""
    staff, staff_page = as_user(browser, base, "labstaff")
    staff_page.goto(url)
    assert staff_page.inner_text("#reference-code") == code
    with staff_page.expect_download() as download:
        staff_page.click("#voucher-link")
    with open(download.value.path(), "rb") as handle:
        assert handle.read(4) == b"\x89PNG"
    staff_page.fill("#reference", reference)
    submit(staff_page, "#confirm-payment")
    return staff, staff_page


def refund_recorded_and_seen(page, lab_page, base, url, refund, reference) -> None:
    """A member records the bank-transfer refund; the payer sees it succeeded, with its
    reference, on the item's page and in their payment history."""
    assert page.inner_text(f"#refund-{refund.pk} .refund-status") == "处理中"
    lab_page.goto(url)
    lab_page.fill(f"#refund-reference-{refund.pk}", reference)
    submit(lab_page, f"#refund-{refund.pk} .record-refund")
    page.goto(url)
    assert page.inner_text(f"#refund-{refund.pk} .refund-status") == "成功"
    assert reference in page.inner_text(f"#refund-{refund.pk}")
    page.goto(f"{base}/payments/")
    assert reference in page.content()


def test_the_bank_transfer_journey_ends_with_the_refund_seen_by_the_payer(live_server, browser):  # noqa: F811
    institution = payee_institution()
    instrument = InstrumentFactory(
        institution=institution,
        code="YLU-SEM-01",
        name="场发射扫描电子显微镜",
        min_notice_hours=0,
        min_minutes=60,
        max_minutes=120,
        slot_minutes=30,
        approval_required=True,
        price_hourly=Decimal("450.00"),
    )
    for weekday in range(7):
        OpeningIntervalFactory(
            instrument=instrument, weekday=weekday, start=dt.time(0, 0), end=dt.time(23, 30)
        )
    RefundTier.objects.create(instrument=instrument, hours_before=0, refund_percent=100)
    lab_people(institution)
    base = live_server.url
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)
    end = start + dt.timedelta(hours=1)

    founder, page = as_user(browser, base, "founder")
    page.goto(
        f"{base}/instruments/YLU-SEM-01/book/?start={start.isoformat().replace('+', '%2B')}"
        f"&end={end.isoformat().replace('+', '%2B')}"
    )
    page.fill("#purpose", "锂电池正极材料形貌观察")
    submit(page, "#confirm-booking")
    assert page.inner_text("#booking-status") == "待审核"
    booking = Booking.objects.get()

    lab, lab_page = as_user(browser, base, "labmanager")
    lab_page.goto(f"{base}/bookings/{booking.pk}/")
    submit(lab_page, "#approve")
    assert lab_page.inner_text("#booking-status") == "待付款"

    url = f"{base}/bookings/{booking.pk}/"
    page.goto(url)
    submit(page, "#pay-offline")
    code = transfer_with_voucher(
        page,
        amount="¥450.00 CNY",
        code_prefix=f"B{booking.pk:06d}-",
        payer_reference="ICBC-20261207-0042",
    )
    staff, staff_page = another_member_confirms(browser, base, url, code, "到账-0042")
    assert staff_page.inner_text("#booking-status") == "已确认"

    page.goto(url)
    submit(page, "#cancel")  # the confirmation page names the refund before anything happens
    assert page.inner_text("#refund-amount").startswith("¥")
    submit(page, "#confirm-cancel")
    assert page.inner_text("#booking-status") == "已取消"
    refund = booking.payments.get(kind="refund")
    refund_recorded_and_seen(page, lab_page, base, url, refund, "退款-ICBC-7788")
    for context in (lab, staff, founder):
        context.close()
    booking.refresh_from_db()
    assert booking.paid_amount == Decimal("0.00")


def test_the_sample_order_bank_transfer_journey_ends_with_the_refund_seen_by_the_payer(
    live_server,
    browser,  # noqa: F811
):
    """The same journey for a sample-testing order: request → quote → accept → bank transfer
    with payee, 汇款附言 and deadline → voucher → another member confirms → the requester
    cancels → a member records the refund → the requester sees it refunded."""
    institution = payee_institution()
    InstrumentFactory(
        institution=institution,
        code="YLU-XRD-01",
        name="X射线衍射仪",
        offers_sample_testing=True,
        price_per_sample=Decimal("300.00"),
    )
    lab_people(institution)
    base = live_server.url

    founder, page = as_user(browser, base, "founder")
    page.goto(f"{base}/instruments/YLU-XRD-01/sample-order/")
    page.fill("#id_sample_count", "3")
    page.fill("#id_sample_description", "锂电池正极粉末，每份 2 g")
    page.fill("#id_test_items", "物相分析")
    submit(page, "#submit-order")
    order = SampleOrder.objects.get()

    lab, lab_page = as_user(browser, base, "labmanager")
    lab_page.goto(f"{base}/sample-orders/{order.pk}/")
    lab_page.fill("#id_price", "900.00")
    lab_page.fill("#id_turnaround_days", "5")
    submit(lab_page, "#quote")

    url = f"{base}/sample-orders/{order.pk}/"
    page.goto(url)
    submit(page, "#accept-quote")
    submit(page, "#pay-offline")
    assert page.inner_text("#order-status") == "待付款"
    code = transfer_with_voucher(
        page,
        amount="¥900.00 CNY",
        code_prefix=f"S{order.pk:06d}-",
        payer_reference="ICBC-20261207-0077",
    )
    order.refresh_from_db()
    deadline = order.hold_expires_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert page.inner_text("#transfer-deadline") == deadline
    staff, staff_page = another_member_confirms(browser, base, url, code, "到账-0077")
    assert staff_page.inner_text("#order-status") == "待送样"

    page.goto(url)
    page.fill("#cancel-reason", "改用其他检测方法")
    submit(page, "#cancel")
    assert page.inner_text("#order-status") == "已取消"
    refund = order.payments.get(kind="refund")
    refund_recorded_and_seen(page, lab_page, base, url, refund, "退款-ICBC-9900")
    for context in (lab, staff, founder):
        context.close()
    order.refresh_from_db()
    assert order.paid_amount == Decimal("0.00")
