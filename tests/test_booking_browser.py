"""End to end in real headless Chromium: book a slot, get it approved, pay offline."""

import datetime as dt
import os
from decimal import Decimal

import pytest

from marketplace.bookings.models import Booking
from tests.factories import (
    InstitutionFactory,
    InstrumentFactory,
    MembershipFactory,
    OpeningIntervalFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop; Django's ORM in the test thread is still sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def sign_in(page, base, username):
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_book_approve_and_pay_offline_in_the_browser(live_server, browser):
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
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
    UserFactory(username="founder")
    manager = UserFactory(username="labmanager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    base = live_server.url

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "founder")
    page.goto(f"{base}/instruments/YLU-SEM-01/")
    page.click("#booking-calendar")
    page.wait_for_url("**/calendar/")
    page.locator("a.slot").nth(2).click()
    page.wait_for_url("**/book/**")
    assert "¥450.00" in page.content()
    page.fill("#purpose", "锂电池正极材料形貌观察")
    page.click("#confirm-booking")
    page.wait_for_url("**/bookings/*/")
    assert page.inner_text("#booking-status") == "待审核"
    booking = Booking.objects.get()
    context.close()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "labmanager")
    page.goto(f"{base}/bookings/queue/")
    page.click(f"a[href='/bookings/{booking.pk}/']")
    page.click("#approve")
    page.wait_for_load_state()
    assert page.inner_text("#booking-status") == "待付款"
    context.close()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "founder")
    page.goto(f"{base}/bookings/{booking.pk}/")
    page.click("#pay-offline")
    page.wait_for_load_state()
    context.close()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "labmanager")
    page.goto(f"{base}/bookings/{booking.pk}/")
    page.fill("#reference", "ICBC-20261207-0042")
    page.click("#confirm-payment")
    page.wait_for_load_state()
    assert page.inner_text("#booking-status") == "已确认"
    context.close()

    booking.refresh_from_db()
    assert booking.status == "confirmed"
    payment = booking.payments.get()
    assert (payment.method, payment.status, payment.reference, payment.amount) == (
        "offline",
        "succeeded",
        "ICBC-20261207-0042",
        Decimal("450.00"),
    )


def test_choose_a_later_start_and_a_longer_stay_and_get_exactly_that(live_server, browser):
    """The reported bug: 120 分钟 chosen, 60 booked. Here the founder moves the start and the
    duration, sees the price follow at once (book.js), books, and gets exactly that; every
    notice and email of the journey gives the start in Shanghai time."""
    from urllib.parse import quote

    from django.core import mail

    from marketplace.notifications.models import Notification
    from tests.booking_fixtures import SHANGHAI

    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    instrument = InstrumentFactory(
        institution=institution,
        code="YLU-XRD-01",
        name="X射线衍射仪",
        min_notice_hours=0,
        min_minutes=60,
        max_minutes=180,
        slot_minutes=30,
        approval_required=True,
        price_hourly=Decimal("450.00"),
    )
    for weekday in range(7):
        OpeningIntervalFactory(
            instrument=instrument, weekday=weekday, start=dt.time(8, 0), end=dt.time(17, 0)
        )
    UserFactory(username="founder", email="founder@startup.example")
    manager = UserFactory(username="labmanager", email="lab@ylu.example")
    MembershipFactory(user=manager, institution=institution, role="manager")
    day = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=2)
    default = dt.datetime.combine(day, dt.time(8, 0), tzinfo=SHANGHAI)
    chosen = dt.datetime.combine(day, dt.time(8, 30), tzinfo=SHANGHAI)  # 00:30 UTC
    base = live_server.url
    mail.outbox.clear()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "founder")
    # From the instrument page through its calendar: the month overview opens the day's week,
    # whose first start of the day leads to the form.
    page.goto(f"{base}/instruments/YLU-XRD-01/")
    page.click("#booking-calendar")
    page.wait_for_url("**/calendar/")
    if day.month != dt.datetime.now(SHANGHAI).month:
        page.click("#next-month")
        page.wait_for_load_state()
    page.click(f".calendar-month a[href*='week={day:%Y-%m-%d}']")
    page.wait_for_load_state()
    page.click(f"a.slot[href$='start={quote(default.isoformat(), safe='')}']")
    page.wait_for_url("**/book/**")
    assert page.input_value("#start") == default.isoformat()
    assert page.inner_text("#summary-price") == "¥450.00 CNY"
    page.select_option("#start", chosen.isoformat())
    page.select_option("#minutes", "120")
    # Updated in the page, without a round trip.
    assert page.inner_text("#summary-price") == "¥900.00 CNY"
    assert page.inner_text("#summary-end") == f"{day:%Y-%m-%d} 10:30"
    page.fill("#purpose", "锂电池正极材料物相分析")
    page.click("#confirm-booking")
    page.wait_for_url("**/bookings/*/")
    assert page.inner_text("#booking-status") == "待审核"
    booking = Booking.objects.get()
    assert (booking.start, booking.end) == (chosen, chosen + dt.timedelta(minutes=120))
    assert booking.price == Decimal("900.00")
    assert booking.purpose == "锂电池正极材料物相分析"
    # The booking's own page gives the chosen time in Shanghai time.
    assert f"{day:%Y-%m-%d} 08:30–10:30" in page.inner_text("main")
    context.close()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "labmanager")
    local, utc = f"{day:%Y-%m-%d} 08:30", f"{day:%Y-%m-%d} 00:30"
    # The manager's notice of the request, then the booking page, in Shanghai time.
    page.goto(f"{base}/notifications/")
    assert f"X射线衍射仪 {local}" in page.inner_text("main")
    page.goto(f"{base}/bookings/{booking.pk}/")
    assert f"{day:%Y-%m-%d} 08:30–10:30" in page.inner_text("main")
    page.click("#approve")
    page.wait_for_load_state()
    assert page.inner_text("#booking-status") == "待付款"
    context.close()

    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    sign_in(page, base, "founder")
    page.goto(f"{base}/notifications/")
    assert f"预约已通过审核，请付款：X射线衍射仪 {local}" in page.inner_text("main")
    context.close()

    notices = list(Notification.objects.order_by("pk"))
    assert len(notices) == 2  # the request to the manager, the approval to the founder
    assert all(local in n.message and utc not in n.message for n in notices)
    assert all(local in n.message_en and utc not in n.message_en for n in notices)
    assert sorted(message.to[0] for message in mail.outbox) == [
        "founder@startup.example",
        "lab@ylu.example",
    ]
    for message in mail.outbox:
        assert local in message.body and utc not in message.body + message.subject
