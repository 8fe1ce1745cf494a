"""The instrument's booking calendar: a week with every bookable start, previous/next weeks
within the booking window, a month of free days, and the iCal feeds — plain HTML, local time."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from marketplace.bookings import services
from tests.booking_fixtures import SHANGHAI, at

pytestmark = pytest.mark.django_db


def _url(instrument, **query):
    from urllib.parse import urlencode

    return f"/instruments/{instrument.code}/calendar/" + (f"?{urlencode(query)}" if query else "")


def _monday(day):
    return day - dt.timedelta(days=day.weekday())


def _get(client, url):
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    return response, response.content.decode()


def test_the_week_offers_every_slot_boundary_of_each_free_interval(client, booking_world):
    instrument, startup, _manager, day = booking_world
    # Someone holds 09:30–10:30 (stored in UTC: 01:30–02:30).
    services.request_booking(startup, instrument, at(day, "09:30"), at(day, "10:30"), "XRD")
    response, html = _get(client, _url(instrument, week=day.isoformat()))
    assert response.status_code == 200
    starts = set(re.findall(r'href="/instruments/YLU-SEM/book/\?start=([^"]+)"', html))
    from urllib.parse import unquote

    starts = {dt.datetime.fromisoformat(unquote(s)) for s in starts}
    on_day = sorted(s.astimezone(SHANGHAI).strftime("%H:%M") for s in starts if s.date() == day)
    # 08:30–09:30 fits one hour from 08:30 only; 10:30–12:00 from 10:30 and 11:00;
    # 14:00–17:30 from every half hour up to 16:30. 09:00 and 11:30 are too short for 60 min.
    assert on_day == [
        "08:30",
        "10:30",
        "11:00",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
    ]
    # The intervals are shown in Shanghai time, never in UTC.
    assert "10:30–12:00" in html and "14:00–17:30" in html
    assert "02:30–04:00" not in html
    # The weekend of that week is listed, without slots.
    saturday = day + dt.timedelta(days=3)
    row = html[html.index(f'<time datetime="{saturday:%Y-%m-%d}">') :].split("</tr>")[0]
    assert "无可预约时段" in row and 'class="slot"' not in row


def test_a_calendar_link_leads_to_a_form_starting_there_with_every_start_of_the_day(
    client, booking_world
):
    instrument, startup, _manager, day = booking_world
    client.force_login(startup)
    _response, html = _get(client, _url(instrument, week=day.isoformat()))
    from urllib.parse import quote

    link = f"/instruments/YLU-SEM/book/?start={quote(at(day, '15:00').isoformat(), safe='')}"
    assert f'href="{link}">15:00</a>' in html
    form = client.get(link, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    select = form[form.index('<select id="start"') :].split("</select>")[0]
    selected = re.search(r'<option value="([^"]+)"[^>]*selected>', select).group(1)
    assert selected == at(day, "15:00").isoformat()
    for hhmm in ("08:30", "09:00", "10:00", "11:00", "14:00", "16:30"):
        assert f'value="{at(day, hhmm).isoformat()}"' in form, hhmm


def test_weeks_go_forward_to_the_booking_window_and_not_before_this_week(client, booking_world):
    instrument, _startup, _manager, _day = booking_world
    today = timezone.localdate()
    this_monday = _monday(today)
    response, html = _get(client, _url(instrument))
    assert response.status_code == 200
    assert f"{this_monday:%Y-%m-%d} 至" in html
    assert 'id="previous-week"' not in html
    assert f"week={this_monday + dt.timedelta(weeks=1):%Y-%m-%d}" in html

    # Walk forward by the "next week" links until they stop: the last week holds the window's end.
    url, weeks = _url(instrument), 0
    while 'id="next-week"' in html:
        url = re.search(r'href="([^"]+)" rel="next" id="next-week"', html).group(1)
        _response, html = _get(client, url.replace("&amp;", "&"))
        weeks += 1
        assert 'id="previous-week"' in html
    window_end = timezone.localdate(timezone.now() + dt.timedelta(days=30))
    assert f"{_monday(window_end):%Y-%m-%d} 至" in html
    assert weeks == (_monday(window_end) - this_monday).days // 7

    # Asking before this week or beyond the window shows the nearest allowed week.
    _response, html = _get(client, _url(instrument, week="2020-01-01"))
    assert f"{this_monday:%Y-%m-%d} 至" in html
    _response, html = _get(client, _url(instrument, week="2999-12-31"))
    assert f"{_monday(window_end):%Y-%m-%d} 至" in html and 'id="next-week"' not in html


def test_the_month_marks_free_days_and_links_each_to_its_week(client, booking_world):
    instrument, _startup, _manager, day = booking_world
    _response, html = _get(client, _url(instrument, week=day.isoformat(), month=f"{day:%Y-%m}"))
    month = html[html.index('id="month-heading"') :]
    week_link = f"week={day:%Y-%m-%d}&amp;month={day:%Y-%m}"
    cell = re.search(
        rf'<td class="free-day[^"]*"[^>]*><a href="[^"]*{week_link}">{day.day}</a>', month
    )
    assert cell, "a bookable Wednesday is marked and links to its week"
    saturday = day + dt.timedelta(days=3)
    if saturday.month == day.month:
        # Closed at weekends: listed, linked (within the window) but not marked free.
        assert re.search(
            rf'<td class="(?: shown-week)?"[^>]*><a href="[^"]*week={saturday:%Y-%m-%d}&amp;[^"]*">{saturday.day}</a>',
            month,
        )
    today = timezone.localdate()
    if today.day > 1 and today.month == day.month:
        yesterday = today - dt.timedelta(days=1)
        # Days already past are shown, not linked.
        assert f'<span class="meta">{yesterday.day}</span>' in month


def test_feeds_are_linked_for_the_person_and_for_the_institutions_members(client, booking_world):
    instrument, startup, manager, _day = booking_world
    _response, html = _get(client, _url(instrument))
    assert "calendar.ics" not in html and "token=" not in html

    client.force_login(startup)
    _response, html = _get(client, _url(instrument))
    assert f"http://testserver/api/v1/bookings/calendar.ics?token={startup.calendar_token}" in html
    assert f"/api/v1/instruments/{instrument.code}/calendar.ics" not in html

    client.force_login(manager)
    _response, html = _get(client, _url(instrument))
    mine = f"/api/v1/bookings/calendar.ics?token={manager.calendar_token}"
    feed = f"/api/v1/instruments/{instrument.code}/calendar.ics?token={manager.calendar_token}"
    assert mine in html and feed in html
    for path in (mine, feed):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")


def test_the_detail_page_links_the_calendar(client, booking_world):
    instrument, *_ = booking_world
    html = client.get(instrument.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    assert f'href="/instruments/{instrument.code}/calendar/"'.encode() in html


@pytest.mark.parametrize(
    "query", [{"week": "next tuesday"}, {"month": "2026-13"}, {"week": "2026-02-30"}]
)
def test_a_malformed_date_is_a_400_that_still_shows_this_week(client, booking_world, query):
    instrument, *_ = booking_world
    response, html = _get(client, _url(instrument, **query))
    assert response.status_code == 400
    assert "日期格式应为" in html
    assert f"{_monday(timezone.localdate()):%Y-%m-%d} 至" in html


def test_unknown_instruments_are_404(client, booking_world):
    assert client.get("/instruments/NOPE/calendar/").status_code == 404


def test_the_calendar_runs_a_fixed_number_of_queries(
    client, booking_world, django_assert_num_queries
):
    instrument, startup, manager, day = booking_world
    for hours in (9, 14, 15):
        start = at(day, f"{hours:02d}:00")
        services.request_booking(startup, instrument, start, start + dt.timedelta(hours=1), "")
    url = _url(instrument, week=day.isoformat())
    # instrument, opening hours, blackouts, bookings
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
    client.force_login(manager)
    client.get(url)
    # + session, user, memberships, and the header's unread-notices badge with the admin
    # permissions the Wagtail user bar checks (one query: marketplace.signed_in)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200


def test_the_calendar_is_complete_in_english(client):
    from tests.factories import (
        InstitutionFactory,
        InstrumentFactory,
        MembershipFactory,
        OpeningIntervalFactory,
        UserFactory,
    )
    from tests.test_workflow_pages_in_english import leftovers

    institution = InstitutionFactory(code="YLU", name="Yunling University")
    instrument = InstrumentFactory(
        institution=institution, code="XRD-1", name="X-ray diffractometer", min_notice_hours=0
    )
    for weekday in range(7):
        OpeningIntervalFactory(
            instrument=instrument, weekday=weekday, start=dt.time(8, 0), end=dt.time(18, 0)
        )
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, institution=institution, role="manager")
    for login in (None, manager):
        if login:
            client.force_login(login)
        html = client.get(_url(instrument), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="en">' in html and "Booking calendar" in html
        assert 'class="slot"' in html and "Free days in" in html
        assert leftovers(html) == set()
