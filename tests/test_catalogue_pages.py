"""Catalogue pages: lists with filters and paging, details with their content, drafts hidden."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    OpeningIntervalFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


def test_instrument_list_filters_by_category_and_region(client):
    InstrumentFactory(
        name="透射电子显微镜",
        category="analytical",
        institution=InstitutionFactory(region="530100"),
    )
    InstrumentFactory(
        name="飞秒激光器", category="laser", institution=InstitutionFactory(region="532500")
    )
    html = client.get("/instruments/", {"category": "laser"}).content.decode()
    assert "飞秒激光器" in html and "透射电子显微镜" not in html
    html = client.get("/instruments/", {"region": "530100"}).content.decode()
    assert "透射电子显微镜" in html and "飞秒激光器" not in html


def test_an_unknown_filter_value_is_a_400_page_with_the_reason(client):
    response = client.get("/instruments/", {"category": "magic"})
    assert response.status_code == 400
    assert "magic" in response.content.decode()


def test_lists_page_by_20_and_keep_filters_in_page_links(client):
    institution = InstitutionFactory(region="530100")
    for _ in range(25):
        TechnologyFactory(institution=institution, trl=7)
    html = client.get("/technologies/", {"trl_min": "7"}).content.decode()
    assert html.count('<li>\n    <h2><a href="/technologies/') == 20
    assert "trl_min=7&amp;page=2" in html
    second = client.get("/technologies/", {"trl_min": "7", "page": 2}).content.decode()
    assert second.count('<li>\n    <h2><a href="/technologies/') == 5


def test_instrument_detail_shows_prices_rules_and_leads_to_the_one_calendar(client):
    instrument = InstrumentFactory(name="场发射扫描电子显微镜", min_notice_hours=0)
    today = timezone.localdate()
    OpeningIntervalFactory(
        instrument=instrument,
        weekday=(today + dt.timedelta(days=2)).weekday(),
        start=dt.time(9, 0),
        end=dt.time(11, 0),
    )
    html = client.get(
        f"/instruments/{instrument.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "场发射扫描电子显微镜" in html
    assert "450.00" in html and "260.00" in html
    assert "按 30 分钟为一个时段预约" in html
    assert "09:00–11:00" in html  # the opening hours among the rules
    # One way to pick a slot: the page has no slot table of its own, it leads to the calendar,
    # where that day's free time is offered start by start.
    calendar = f"/instruments/{instrument.code}/calendar/"
    assert 'class="slot"' not in html
    assert f'href="{calendar}" id="booking-calendar"' in html
    assert f'id="book-instrument" href="{calendar}"' in html
    day = today + dt.timedelta(days=2)
    week = client.get(calendar, {"week": day.isoformat()}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    week = week.content.decode()
    assert f"{day:%Y-%m-%d}T09:00:00+08:00" in week.replace("%3A", ":").replace("%2B", "+")


def test_instrument_rules_list_opening_hours_by_day_and_refund_tiers_most_notice_first(client):
    from marketplace.catalogue.models import RefundTier

    instrument = InstrumentFactory()
    for weekday, start in ((2, dt.time(14, 0)), (0, dt.time(13, 0)), (0, dt.time(8, 0))):
        OpeningIntervalFactory(
            instrument=instrument, weekday=weekday, start=start, end=dt.time(start.hour + 2)
        )
    RefundTier.objects.create(instrument=instrument, hours_before=2, refund_percent=50)
    RefundTier.objects.create(instrument=instrument, hours_before=48, refund_percent=100)
    html = client.get(
        f"/instruments/{instrument.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "星期一 08:00–10:00；星期一 13:00–15:00；星期三 14:00–16:00</li>" in html
    assert html.index("开始前 48 小时以上取消，退款 100%") < html.index("开始前 2 小时以上取消")


def test_incubator_detail_has_vacancies_and_an_svg_map_pin(client):
    incubator = IncubatorFactory(
        name="滇池创客空间", workstations_vacant=12, workstations_total=100
    )
    html = client.get(f"/incubators/{incubator.code}/").content.decode()
    assert "滇池创客空间" in html
    assert "<strong>12</strong>" in html
    assert "<svg" in html and "<circle" in html
    assert "http" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]  # no tile server


def test_technology_detail_shows_ip_status_trl_and_modes(client):
    technology = TechnologyFactory(title="三七皂苷提取新工艺", trl=6, mode_transfer=True)
    html = client.get(
        f"/technologies/{technology.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert "三七皂苷提取新工艺" in html
    assert "TRL 6 / 9" in html
    assert "转让、许可" in html
    assert "意向洽谈" in html


def test_institution_page_lists_only_published_listings(client):
    institution = InstitutionFactory(code="YLU")
    InstrumentFactory(institution=institution, name="已发布的仪器")
    InstrumentFactory(institution=institution, name="草稿仪器", live=False)
    TechnologyFactory(institution=institution, title="已发布的成果")
    html = client.get("/institutions/YLU/").content.decode()
    assert "已发布的仪器" in html and "已发布的成果" in html
    assert "草稿仪器" not in html


@pytest.mark.parametrize(
    ("path", "factory"),
    [
        ("/instruments/", InstrumentFactory),
        ("/incubators/", IncubatorFactory),
        ("/technologies/", TechnologyFactory),
    ],
)
def test_list_page_query_count_does_not_grow_with_rows(
    client, path, factory, django_assert_max_num_queries
):
    for _ in range(30):
        factory()
    with django_assert_max_num_queries(4):
        assert client.get(path).status_code == 200


def test_detail_page_query_counts_are_pinned(client, django_assert_max_num_queries):
    instrument = InstrumentFactory()
    for weekday in range(7):
        OpeningIntervalFactory(instrument=instrument, weekday=weekday)
    # instrument, opening hours, refund tiers, blackouts, active bookings; the open-sharing
    # summary: its tally rows, its public comments
    with django_assert_max_num_queries(7):
        assert client.get(f"/instruments/{instrument.code}/").status_code == 200
    incubator = IncubatorFactory()
    with django_assert_max_num_queries(2):
        assert client.get(f"/incubators/{incubator.code}/").status_code == 200


def test_institution_page_shows_twenty_of_each_kind_and_links_to_the_rest(
    client, django_assert_max_num_queries
):
    institution = InstitutionFactory(code="BIG")
    for _ in range(25):
        InstrumentFactory(institution=institution)
    # the institution, the first listings of each kind, the instruments counted (25: more
    # than the page shows; the other kinds have none), plus the open-sharing summary: its
    # tally rows and its public comments.
    with django_assert_max_num_queries(7):
        html = client.get("/institutions/BIG/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert html.count('href="/instruments/INS-') == 20
    assert 'href="/instruments/?institution=BIG"' in html
    assert "查看全部 25 项" in html
