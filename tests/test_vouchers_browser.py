"""The whole voucher path in real headless Chromium (issue 18): the founder's company applies
with its PDF → the 创新券管理员 approve at 州市 then 省 level → the founder books machine
time and uses the voucher → pays their own share by bank transfer → a member confirms it →
the booking is completed → the provider claims the month → the administrator approves the
line, forms a settlement batch, exports it and marks it paid → `check_voucher_ledger` passes
and every fen of the price is accounted for (payer's transfer + settled subsidy)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from marketplace.bookings.models import Booking
from marketplace.vouchers.models import Application, Balance, ClaimLine, SettlementBatch
from tests import voucher_fixtures as vf
from tests.factories import UserFactory
from tests.residency_fixtures import pdf_bytes
from tests.test_booking_browser import browser  # noqa: F401 — the browser fixture
from tests.test_money_browser import as_user, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_apply_review_book_with_a_voucher_complete_claim_and_settle(live_server, browser):  # noqa: F811
    prog = vf.programme()  # 50 %, at most ¥300 an order, ¥5,000 a year per enterprise
    vf.admin_user("voucher-admin")
    UserFactory(username="founder")
    made = vf.instrument(code="YLU-SEM-01", name="场发射扫描电子显微镜")
    vf.member_of(made.institution, "labmanager")
    base = live_server.url

    founder, page = as_user(browser, base, "founder")
    page.goto(f"{base}/vouchers/apply/")
    page.fill("#id_name", "滇创科技有限公司")
    page.fill("#id_credit_code", vf.enterprise_code(7))
    page.set_input_files(
        "#id_document",
        {"name": "营业执照.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()},
    )
    submit(page, "#submit-application")
    assert page.inner_text("#application-status") == "待州市审核"
    application = Application.objects.get()

    admin, admin_page = as_user(browser, base, "voucher-admin")
    for level, comment in (("州市", "材料齐全"), ("省", "同意")):
        admin_page.goto(f"{base}/vouchers/review/")
        submit(admin_page, f"#review-{application.pk}")
        assert level in admin_page.inner_text("#review-level")
        admin_page.fill("#review-comment", comment)
        submit(admin_page, "#review-approve")
    assert "没有待审核的申请" in admin_page.inner_text("#pending-applications")
    page.goto(f"{base}/vouchers/applications/{application.pk}/")
    assert page.inner_text("#application-status") == "已通过"
    page.goto(f"{base}/vouchers/")
    assert "¥5000.00" in page.inner_text("#voucher-balances")

    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=2)
    start = dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI)
    end = start + dt.timedelta(hours=2)  # 2 h × ¥450 = ¥900: ¥300 voucher, ¥600 own share
    page.goto(
        f"{base}/instruments/YLU-SEM-01/book/?start={start.isoformat().replace('+', '%2B')}"
        f"&end={end.isoformat().replace('+', '%2B')}"
    )
    page.fill("#purpose", "锂电池正极材料形貌观察")
    submit(page, "#confirm-booking")
    assert page.inner_text("#booking-status") == "待付款"
    booking = Booking.objects.get()
    assert page.inner_text("#voucher-share") == "¥300.00"
    assert page.inner_text("#payer-share") == "¥600.00"
    submit(page, "#voucher-use")
    assert page.is_visible("#voucher-used")
    submit(page, "#pay-offline")
    assert page.inner_text("#transfer-amount") == "¥600.00 CNY"

    lab, lab_page = as_user(browser, base, "labmanager")
    lab_page.goto(f"{base}/bookings/{booking.pk}/")
    lab_page.fill("#reference", "到账-0600")
    submit(lab_page, "#confirm-payment")
    assert lab_page.inner_text("#booking-status") == "已确认"
    lab_page.fill("#actual_minutes", "120")
    submit(lab_page, "form[action$='/complete/'] button[type=submit]")
    assert lab_page.inner_text("#booking-status") == "已完成"

    lab_page.goto(f"{base}/vouchers/claims/")
    submit(lab_page, "#gather-claim")
    line = ClaimLine.objects.get()
    assert line.status == "claimed" and line.amount == Decimal("300.00")
    assert "¥300.00" in lab_page.inner_text("#claim-lines")

    admin_page.goto(f"{base}/vouchers/settlement/")
    submit(admin_page, f"#approve-{line.pk}")
    submit(admin_page, "#make-batch")
    batch = SettlementBatch.objects.get()
    with admin_page.expect_download() as download:
        admin_page.click(f"a[href='/vouchers/settlement/{batch.pk}/batch.csv']")
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        assert "300.00" in handle.read()
    admin_page.fill("#batches input[name=reference]", "财政-2026-0001")
    submit(admin_page, f"#paid-{batch.pk}")
    assert "财政-2026-0001" in admin_page.inner_text("#batches")
    admin_page.goto(f"{base}/vouchers/dashboard/")
    figures = admin_page.inner_text(f"#programme-{prog.pk}")
    assert "¥300.00" in figures and "¥99700.00" in figures
    assert made.institution.name in admin_page.inner_text("#top-providers")
    for context in (founder, admin, lab):
        context.close()

    call_command("check_voucher_ledger")  # exits 1 (SystemExit) on any difference
    balance = Balance.objects.get(programme=prog)
    assert (balance.granted, balance.available, balance.committed, balance.spent) == (
        Decimal("5000.00"), Decimal("4700.00"), Decimal("0.00"), Decimal("300.00"),
    )  # fmt: skip
    booking.refresh_from_db()
    paid = booking.payments.get(kind="payment", status="succeeded")
    line.refresh_from_db()
    batch.refresh_from_db()
    assert line.status == "paid" and batch.total == Decimal("300.00")
    assert paid.amount + line.amount == booking.price == Decimal("900.00")
