"""The anonymous page cache in front of the public catalogue API (config/page_cache.py): lists,
details, an instrument's availability, institutions and the search API are kept for clients
with no session and no Authorization header, keyed by language and full path, and purged by
the same changes as the pages — each change below is made, committed (the purge runs on
commit), and the API read again as an anonymous client."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone

from marketplace.accounts.tokens import issue_token
from tests.factories import (
    BookingFactory,
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    OpeningIntervalFactory,
    TechnologyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"
API = "/api/v1"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def get(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.content[:300])
    return response, response.json()


def names(body):
    return [item.get("name") or item.get("title") for item in body["results"]]


def test_a_list_is_served_from_the_cache_with_the_same_bytes_and_headers(
    client, django_assert_max_num_queries
):
    InstrumentFactory(name="透射电子显微镜")
    first = client.get(f"{API}/instruments/")
    assert first[HEADER] == "miss"
    with django_assert_max_num_queries(1):  # the entry and its tag versions, in one statement
        second = client.get(f"{API}/instruments/")
    assert second[HEADER] == "hit"
    assert second.content == first.content
    for response in (first, second):
        assert response["Content-Type"] == "application/json"
        assert response["Content-Language"] == "zh-hans"
        control = response["Cache-Control"]
        assert "public" in control and "s-maxage=30" in control and "max-age=0" in control
        assert {"Cookie", "Accept-Language"} <= {v.strip() for v in response["Vary"].split(",")}
        assert not response.cookies


def test_each_language_and_each_query_string_has_its_own_entry(client):
    InstrumentFactory(name="透射电子显微镜", category="analytical")
    InstrumentFactory(name="飞秒激光器", category="laser")
    chinese = get(client, f"{API}/instruments/")[1]
    english_response, english = get(client, f"{API}/instruments/", HTTP_ACCEPT_LANGUAGE="en")
    assert english_response[HEADER] == "miss" and english_response["Content-Language"] == "en"
    assert chinese["results"][0]["category_name"] != english["results"][0]["category_name"]
    assert get(client, f"{API}/instruments/", HTTP_ACCEPT_LANGUAGE="en")[1] == english
    lasers = get(client, f"{API}/instruments/?category=laser")[1]
    assert names(lasers) == ["飞秒激光器"]


def test_a_signed_in_client_is_never_served_the_anonymous_copy_nor_leaves_one(client):
    InstrumentFactory()
    get(client, f"{API}/instruments/")
    user = UserFactory()
    token = issue_token(user)
    response = client.get(f"{API}/instruments/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and HEADER not in response
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    signed_in.force_login(user)
    assert HEADER not in signed_in.get(f"{API}/instruments/")
    assert client.get(f"{API}/instruments/")[HEADER] == "hit"


def test_an_accept_header_that_changes_the_answer_is_passed_through(client):
    InstrumentFactory()
    get(client, f"{API}/instruments/")
    # Only HTML wanted: DRF's 406, as without the cache.
    assert client.get(f"{API}/instruments/", HTTP_ACCEPT="text/html").status_code == 406
    indented = client.get(f"{API}/instruments/", HTTP_ACCEPT="application/json; indent=4")
    assert indented.get(HEADER) == "pass" or HEADER not in indented
    assert b'\n    "count"' in indented.content
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get(f"{API}/instruments/", HTTP_ACCEPT=browser)[HEADER] == "hit"
    assert client.get(f"{API}/instruments/", HTTP_ACCEPT="application/json")[HEADER] == "hit"


def test_errors_are_not_kept_and_keep_their_headers(client):
    for _ in range(2):
        missing = client.get(f"{API}/instruments/NO-SUCH-CODE/")
        assert missing.status_code == 404 and missing[HEADER] == "pass"
        assert "Cache-Control" not in missing
        bad = client.get(f"{API}/instruments/?category=spaceship")
        assert bad.status_code == 400 and bad[HEADER] == "pass"


def test_a_renamed_listing_shows_in_the_lists_its_detail_and_the_search_api(client, commit):
    instrument = InstrumentFactory(name="透射电子显微镜")
    other = InstrumentFactory(name="飞秒激光器")
    detail = f"{API}/instruments/{instrument.code}/"
    urls = (f"{API}/instruments/", detail, f"{API}/instruments/{other.code}/")
    for url in urls:
        get(client, url)
    search = f"{API}/search/?q=冷冻"
    assert get(client, search)[1]["count"] == 0
    assert get(client, detail)[0][HEADER] == "hit"

    def rename():
        instrument.name = "冷冻透射电子显微镜"
        instrument.save()

    commit(rename)
    assert get(client, detail)[1]["name"] == "冷冻透射电子显微镜"
    assert "冷冻透射电子显微镜" in names(get(client, f"{API}/instruments/")[1])
    assert get(client, f"{API}/instruments/{other.code}/")[0][HEADER] == "hit"
    found = get(client, search)[1]
    assert [hit["code"] for hit in found["results"]] == [instrument.code]


def test_a_listing_published_appears_and_one_unpublished_disappears(client, commit):
    shown = InstrumentFactory(name="透射电子显微镜")
    pending = InstrumentFactory(name="飞秒激光器", live=False, institution=shown.institution)
    institution = f"{API}/institutions/{shown.institution.code}/"
    assert names(get(client, f"{API}/instruments/")[1]) == ["透射电子显微镜"]
    assert get(client, institution)[1]["instrument_count"] == 1
    assert client.get(f"{API}/instruments/{pending.code}/").status_code == 404

    commit(lambda: pending.save_revision().publish())
    assert set(names(get(client, f"{API}/instruments/")[1])) == {"透射电子显微镜", "飞秒激光器"}
    assert get(client, f"{API}/instruments/{pending.code}/")[0][HEADER] == "miss"
    assert get(client, institution)[1]["instrument_count"] == 2
    counts = {
        i["code"]: i["instrument_count"] for i in get(client, f"{API}/institutions/")[1]["results"]
    }
    assert counts[shown.institution.code] == 2

    get(client, f"{API}/instruments/{shown.code}/")
    commit(shown.unpublish)
    assert names(get(client, f"{API}/instruments/")[1]) == ["飞秒激光器"]
    assert client.get(f"{API}/instruments/{shown.code}/").status_code == 404
    assert get(client, institution)[1]["instrument_count"] == 1


def test_an_institution_renamed_shows_on_its_listings_and_in_the_institutions_api(client, commit):
    institution = InstitutionFactory(name="云南大学")
    instrument = InstrumentFactory(institution=institution)
    technology = TechnologyFactory(institution=institution)
    urls = {
        f"{API}/instruments/": lambda body: body["results"][0]["institution"]["name"],
        f"{API}/instruments/{instrument.code}/": lambda body: body["institution"]["name"],
        f"{API}/technologies/{technology.code}/": lambda body: body["institution"]["name"],
        f"{API}/institutions/": lambda body: body["results"][0]["name"],
        f"{API}/institutions/{institution.code}/": lambda body: body["name"],
    }
    for url, name in urls.items():
        assert name(get(client, url)[1]) == "云南大学", url

    def rename():
        institution.name = "云南师范大学"
        institution.save()

    commit(rename)
    for url, name in urls.items():
        assert name(get(client, url)[1]) == "云南师范大学", url


def _bookable_instrument():
    instrument = InstrumentFactory(min_notice_hours=0, min_minutes=60, approval_required=False)
    day = timezone.localdate() + dt.timedelta(days=2)
    OpeningIntervalFactory(
        instrument=instrument, weekday=day.weekday(), start=dt.time(9, 0), end=dt.time(11, 0)
    )
    url = f"{API}/instruments/{instrument.code}/availability/?start={day}&end={day}"
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    return instrument, url, start


def test_a_booking_and_a_blackout_take_their_time_off_the_availability(client, commit):
    from marketplace.catalogue.models import Blackout

    instrument, url, start = _bookable_instrument()
    response, body = get(client, url)
    assert response[HEADER] == "miss" and len(body["free"]) == 1
    assert get(client, url)[0][HEADER] == "hit"

    booking = commit(
        lambda: BookingFactory(
            instrument=instrument,
            start=start,
            end=start + dt.timedelta(hours=1),
            status="confirmed",
        )
    )
    body = get(client, url)[1]
    assert [slot["start"] for slot in body["free"]] == [(start + dt.timedelta(hours=1)).isoformat()]

    commit(
        lambda: Blackout.objects.create(
            instrument=instrument,
            starts_at=start + dt.timedelta(hours=1),
            ends_at=start + dt.timedelta(hours=2),
        )
    )
    assert get(client, url)[1]["free"] == []

    def cancel():
        booking.status = "cancelled"
        booking.save()

    commit(cancel)
    assert len(get(client, url)[1]["free"]) == 1


def test_a_vacancy_change_shows_in_the_incubator_detail_and_list(client, commit):
    from django.db import transaction

    from marketplace.catalogue import capacity

    incubator = IncubatorFactory(workstations_vacant=12, workstations_total=100)
    detail = f"{API}/incubators/{incubator.code}/"
    assert get(client, detail)[1]["workstations_vacant"] == 12
    get(client, f"{API}/incubators/")

    def fill():  # a residency acceptance: a counter row, no post_save of the incubator
        with transaction.atomic():
            capacity.take_workstations(incubator, 9)

    commit(fill)
    assert get(client, detail)[1]["workstations_vacant"] == 3
    assert get(client, f"{API}/incubators/")[1]["results"][0]["workstations_vacant"] == 3


def test_an_import_purges_the_api_answers_it_changed(client, commit):
    from marketplace.catalogue.importer import import_catalogue

    data = json.loads(
        (Path(django_settings.BASE_DIR) / "data" / "demo-catalogue.json").read_text(
            encoding="utf-8"
        )
    )
    commit(lambda: import_catalogue(copy.deepcopy(data)))
    record = data["instruments"][0]
    detail = f"{API}/instruments/{record['code']}/"
    renamed = f"{API}/instruments/?q=导入后改名"
    assert get(client, renamed)[1]["count"] == 0
    get(client, detail)
    get(client, f"{API}/instruments/")
    assert get(client, detail)[0][HEADER] == "hit"
    commit(lambda: import_catalogue(copy.deepcopy(data)))  # nothing changes: nothing purged
    assert get(client, detail)[0][HEADER] == "hit"
    record["name"] = "导入后改名的仪器"
    commit(lambda: import_catalogue(copy.deepcopy(data)))
    assert get(client, detail)[1]["name"] == "导入后改名的仪器"
    assert get(client, f"{API}/instruments/")[0][HEADER] == "miss"
    assert names(get(client, renamed)[1]) == ["导入后改名的仪器"]


def test_turned_off_the_api_is_answered_every_time(client, settings):
    settings.PAGE_CACHE_ENABLED = False
    InstrumentFactory()
    client.get(f"{API}/instruments/")
    response = client.get(f"{API}/instruments/")
    assert HEADER not in response and "Cache-Control" not in response
