"""On a 375 × 667 phone in real Chromium: no page scrolls sideways, the menu and the search
facets fold behind buttons that work without JavaScript, the first search result and the
instrument's book button are on the first screen."""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from tests.booking_fixtures import SHANGHAI
from tests.factories import (
    InstitutionFactory,
    InstrumentFactory,
    OpeningIntervalFactory,
    UserFactory,
)
from tests.test_booking_browser import browser, sign_in  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]
PHONE = {"width": 375, "height": 667}


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, width)


def _above_the_fold(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (selector, box)


@pytest.fixture
def phone_world(settings, site_pages):
    settings.SEARCH_ENGINE = "database"
    institution = InstitutionFactory(code="YLU", name="云岭理工大学")
    instrument = None
    for n in range(3):
        instrument = InstrumentFactory(
            institution=institution,
            code=f"YLU-SEM-0{n}",
            name=f"场发射扫描电子显微镜 {n} 号",
            min_notice_hours=0,
            price_hourly=Decimal("450.00"),
            description="高分辨率形貌观察与能谱分析，适用于材料、生物与地质样品。" * 4,
        )
        for weekday in range(7):
            OpeningIntervalFactory(
                instrument=instrument, weekday=weekday, start=dt.time(8, 0), end=dt.time(17, 0)
            )
    from search.engines import database_engine
    from search.indexing import rebuild

    rebuild(database_engine())
    UserFactory(username="founder")
    return instrument


def test_pages_fit_a_phone_and_the_important_buttons_are_on_the_first_screen(
    live_server,
    browser,  # noqa: F811
    phone_world,
):
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()

    page.goto(f"{base}/")
    _no_sideways_scroll(page)
    # The header is one compact row; the menu opens from its button, without JavaScript.
    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 80, header
    assert not page.locator(".site-nav").is_visible()
    page.click("#menu-button")
    assert page.locator(".site-nav").is_visible()
    assert page.locator(".site-nav a[href='/instruments/']").is_visible()
    _no_sideways_scroll(page)

    page.goto(f"{base}/search/?{urlencode({'q': '扫描电子显微镜'})}")
    _no_sideways_scroll(page)
    _above_the_fold(page, ".search-hits li a")
    # The facets wait behind 筛选, which sits below the result count.
    count = page.locator(".result-count").bounding_box()
    button = page.locator("#facets-button").bounding_box()
    assert button["y"] >= count["y"] + count["height"] - 1
    assert not page.locator(".search-facets").is_visible()
    page.click("#facets-button")
    assert page.locator(".search-facets").is_visible()
    _no_sideways_scroll(page)

    page.goto(f"{base}/instruments/{phone_world.code}/")
    _no_sideways_scroll(page)
    _above_the_fold(page, "#book-instrument")
    # Still there after scrolling to the end of the page: a bar fixed to the screen.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    _above_the_fold(page, "#book-instrument")
    context.close()

    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    sign_in(page, base, "founder")
    _no_sideways_scroll(page)
    page.goto(f"{base}/instruments/{phone_world.code}/calendar/")
    _no_sideways_scroll(page)
    page.goto(f"{base}/instruments/{phone_world.code}/")
    page.click("#book-instrument")
    page.wait_for_url("**/calendar/")
    page.locator("a.slot").first.click()
    page.wait_for_url("**/book/**")
    _no_sideways_scroll(page)
    _above_the_fold(page, "#start")
    start = dt.datetime.fromisoformat(page.input_value("#start")).astimezone(SHANGHAI)
    assert page.inner_text("#summary-start") == f"{start:%Y-%m-%d %H:%M}"
    context.close()


def _tables_scroll_inside_and_charts_scale(page) -> int:
    """Every table stays within the screen (wide ones scroll inside their own box); every
    chart is drawn to the screen's width with its proportions kept. Returns how many tables
    are wider than their box."""
    tables = page.eval_on_selector_all(
        "main table",
        "els => els.map(t => ({id: t.id, right: t.getBoundingClientRect().right,"
        " scroll: t.scrollWidth, client: t.clientWidth,"
        " overflow: getComputedStyle(t).overflowX}))",
    )
    assert tables
    for table in tables:
        assert table["right"] <= PHONE["width"], table
    wide = [t for t in tables if t["scroll"] > t["client"]]
    for table in wide:
        assert table["overflow"] in ("auto", "scroll"), table
    charts = page.eval_on_selector_all(
        "main svg[viewBox]",
        "els => els.map(s => { const r = s.getBoundingClientRect(); const v = s.viewBox.baseVal;"
        " return {left: r.left, right: r.right, width: r.width, height: r.height,"
        " vw: v.width, vh: v.height}; })",
    )
    assert charts
    for chart in charts:
        assert chart["left"] >= 0 and chart["right"] <= PHONE["width"], chart
        assert chart["width"] >= PHONE["width"] / 2, chart  # scaled to fit, not shrunk away
        assert chart["height"] / chart["width"] == pytest.approx(chart["vh"] / chart["vw"], 0.02)
    return len(wide)


def test_statistics_and_dashboard_fit_a_phone(
    live_server,
    browser,  # noqa: F811
    site_pages,
):
    from tests.sharing_fixtures import completed_booking, make_world, shanghai

    world = make_world()
    dali = make_world(region="532900", code="DLU")
    for n in range(4):
        instrument = InstrumentFactory(
            institution=world.institution,
            code=f"YLU-W{n}",
            name=f"场发射扫描电子显微镜（高分辨率形貌观察与能谱分析）{n} 号",
        )
        completed_booking(
            world, world.outsider, shanghai(2025, 3 + n, 2), 90, instrument=instrument
        )
    completed_booking(world, world.manager, shanghai(2025, 5, 6), 150)
    completed_booking(dali, dali.outsider, shanghai(2025, 6, 9), 60)
    base = live_server.url
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()

    page.goto(f"{base}/statistics/?year=2025")
    assert page.locator("#months-table").is_visible()
    _no_sideways_scroll(page)
    assert page.locator("main svg[viewBox]").count() == 3  # months, categories, 州/市 map
    _tables_scroll_inside_and_charts_scale(page)

    sign_in(page, base, world.manager.username)
    page.goto(f"{base}/statistics/institution/?year=2025")
    assert page.locator("#instrument-usage").is_visible()
    _no_sideways_scroll(page)
    tables = page.eval_on_selector_all("main table", "els => els.length")
    assert tables >= 2
    # The six-column instrument table is wider than the phone: it scrolls in its own box.
    usage = page.eval_on_selector(
        "#instrument-usage", "t => [t.scrollWidth, t.clientWidth, t.getBoundingClientRect().right]"
    )
    assert usage[0] > usage[1] and usage[2] <= PHONE["width"], usage
    page.locator("#instrument-usage").evaluate("t => { t.scrollLeft = t.scrollWidth; }")
    assert page.locator("#instrument-usage").evaluate("t => t.scrollLeft") > 0
    _no_sideways_scroll(page)
    context.close()
