"""The open-sharing figures stay fresh through their caches (marketplace/sharing/freshness.py):
the public statistics page served whole from the anonymous page cache, the statistics APIs'
bodies and the dashboard's median kept in the shared cache — and each change that moves a
figure (a completion, a rating, recorded downtime, a cancelled booking, the nightly rebuild)
is made, committed (the purges run on commit), and the page or API read again."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from marketplace.sharing import services
from tests.factories import BookingFactory, UserFactory
from tests.sharing_fixtures import completed_booking, make_world, shanghai

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"
STATISTICS = "/statistics/?year=2025"
API = "/api/v1/statistics/?year=2025"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, response.content.decode()


def totals(html: str) -> str:
    """The statistics page's headline figures (hours, external hours, share, services…)."""
    return html.split('class="figures')[1].split("</ul>")[0]


def test_anonymous_visitors_get_the_statistics_page_whole_from_the_page_cache(
    client, django_assert_max_num_queries
):
    world = make_world()
    completed_booking(world, world.outsider, shanghai(2025, 3, 10), 150)
    first, html = read(client, STATISTICS)
    assert first[HEADER] == "miss"
    with django_assert_max_num_queries(1):  # the page and its tags' versions in one statement
        second, again = read(client, STATISTICS)
    assert second[HEADER] == "hit"
    assert again == html
    assert "<strong>2.5</strong>" in totals(again)
    # Nothing personal and no token in what every visitor gets.
    for response in (first, second):
        assert not response.cookies
        assert "public" in response["Cache-Control"]
    assert "csrfmiddlewaretoken" not in again
    assert "csrftoken" not in again


def test_a_member_reading_the_statistics_leaves_no_copy_with_their_name(client):
    world = make_world()
    member = client.__class__()
    member.force_login(world.manager)
    response, html = read(member, STATISTICS)
    assert response.get(HEADER) != "hit"
    assert world.manager.username in html  # the user bar names them…
    anonymous, public = read(client, STATISTICS)
    assert anonymous[HEADER] == "miss"  # …and that page was not kept for anyone else
    assert world.manager.username not in public
    assert "csrfmiddlewaretoken" not in public


def test_a_completed_booking_shows_at_once_on_the_page_the_api_and_the_home_figures(
    client, site_pages, commit
):
    world = make_world()
    completed_booking(world, world.outsider, shanghai(2025, 3, 10), 150)
    api = APIClient()
    read(client, STATISTICS)
    assert read(client, STATISTICS)[0][HEADER] == "hit"
    assert api.get(API).json()["total"]["effective_hours"] == "2.5"
    _home, home = read(client, "/")
    assert "<strong>1</strong>" in home.split("次共享服务已完成")[0][-40:]

    commit(lambda: completed_booking(world, world.outsider, shanghai(2025, 4, 2), 90))

    response, html = read(client, STATISTICS)
    assert response[HEADER] == "miss"
    assert "<strong>4.0</strong>" in totals(html)
    body = api.get(API).json()
    assert body["total"]["effective_hours"] == "4.0"
    assert body["total"]["services"] == 2
    _home, home = read(client, "/")
    assert "<strong>2</strong>" in home.split("次共享服务已完成")[0][-40:]


def test_a_rating_shows_on_the_statistics_the_apis_and_the_instrument_page(client, commit):
    world = make_world()
    done = completed_booking(world, world.outsider, shanghai(2025, 3, 10), 60)
    api = APIClient()
    institution_api = f"/api/v1/statistics/institutions/{world.institution.code}/?year=2025"
    instrument_api = f"/api/v1/statistics/instruments/{world.instrument.code}/?year=2025"
    instrument_page = world.instrument.get_absolute_url()
    read(client, STATISTICS)
    read(client, instrument_page)
    assert read(client, instrument_page)[0][HEADER] == "hit"
    assert api.get(institution_api).json()["average_rating"] is None
    assert api.get(instrument_api).json()["ratings"] == 0

    commit(lambda: services.rate(world.outsider, done, timeliness=5, quality=4, attitude=3))

    _response, html = read(client, STATISTICS)
    assert "<strong>4.00</strong>" in totals(html)
    assert api.get(API).json()["total"]["average_rating"] == "4.00"
    assert api.get(institution_api).json()["average_rating"] == "4.00"
    assert api.get(instrument_api).json()["ratings"] == 1
    response, page = read(client, instrument_page)
    assert response[HEADER] == "miss"
    assert "4.00 分（1 条评价）" in page


def test_downtime_and_a_cancellation_move_the_institution_indicators(client, commit):
    world = make_world()
    completed_booking(world, world.outsider, shanghai(2025, 3, 10), 60)
    later = BookingFactory(
        instrument=world.instrument,
        user=world.other_outsider,
        start=shanghai(2025, 5, 6),
        end=shanghai(2025, 5, 6, 11),
        status="confirmed",
    )
    api = APIClient()
    url = f"/api/v1/statistics/institutions/{world.institution.code}/?year=2025"
    first = api.get(url).json()
    assert first["downtime_hours"] == "0.0"
    assert first["cancellation_rate"] == "0.0"

    def downtime():
        services.record_usage(
            world.manager,
            world.instrument,
            "downtime",
            shanghai(2025, 6, 2, 8),
            shanghai(2025, 6, 2, 12),
            "真空泵故障",
        )

    commit(downtime)
    assert api.get(url).json()["downtime_hours"] == "4.0"

    def cancel():  # not a figure of the summary tables: the institution's booking rate
        later.status = "cancelled"
        later.save(update_fields=["status"])

    commit(cancel)
    assert api.get(url).json()["cancellation_rate"] == "50.0"


def test_the_nightly_rebuild_shows_on_the_page_the_api_and_the_institution_page(client, commit):
    world = make_world()
    completed_booking(world, world.outsider, shanghai(2025, 3, 10), 60)
    read(client, STATISTICS)
    institution_page = f"/institutions/{world.institution.code}/"
    read(client, institution_page)
    assert read(client, institution_page)[0][HEADER] == "hit"
    api = APIClient()
    assert api.get(API).json()["total"]["effective_hours"] == "1.0"
    # Completed before the ledger existed: no usage record until the nightly task runs.
    BookingFactory(
        instrument=world.instrument,
        user=world.other_outsider,
        start=shanghai(2025, 4, 1),
        end=shanghai(2025, 4, 1, 12),
        status="completed",
        actual_minutes=180,
        price=Decimal("0.00"),
    )
    assert read(client, STATISTICS)[0][HEADER] == "hit"  # a booking alone moves no figure

    commit(lambda: call_command("rebuild_sharing_stats", stdout=io.StringIO()))

    response, html = read(client, STATISTICS)
    assert response[HEADER] == "miss"
    assert "<strong>4.0</strong>" in totals(html)
    assert api.get(API).json()["total"]["effective_hours"] == "4.0"
    response, page = read(client, institution_page)
    assert response[HEADER] == "miss"


def test_a_figure_of_one_institution_keeps_another_institutions_indicators_cached(
    commit, django_assert_num_queries
):
    world = make_world()
    other = make_world(code="KMU")
    completed_booking(other, other.outsider, shanghai(2025, 3, 10), 60)
    api = APIClient()
    url = f"/api/v1/statistics/institutions/{other.institution.code}/?year=2025"
    api.get(url)
    commit(lambda: BookingFactory(instrument=world.instrument, user=UserFactory()))
    # The institution, then its indicators and their versions in one statement.
    with django_assert_num_queries(2):
        assert api.get(url).json()["effective_hours"] == "1.0"
    start = shanghai(2025, 3, 11)
    commit(
        lambda: BookingFactory(
            instrument=other.instrument,
            user=UserFactory(),
            start=start,
            end=start + dt.timedelta(hours=1),
        )
    )
    with django_assert_num_queries(2 + 3 + 5):  # + the rates, the records, the cache's write
        api.get(url)


def test_the_dashboard_shows_a_new_rating_and_its_answer_after_each_commit(client, commit):
    world = make_world()
    done = completed_booking(world, world.outsider, shanghai(2025, 3, 10), 60)
    client.force_login(world.manager)
    url = "/statistics/institution/?year=2025"
    assert "暂无评价" in read(client, url)[1]
    assert "暂无评价" in read(client, url)[1]  # from the cache now

    rating = commit(
        lambda: services.rate(
            world.outsider, done, timeliness=5, quality=5, attitude=4, comment="很专业"
        )
    )
    html = read(client, url)[1]
    assert "很专业" in html and "暂无评价" not in html

    commit(lambda: services.reply(rating, world.manager, "感谢反馈"))
    assert "感谢反馈" in read(client, url)[1]
