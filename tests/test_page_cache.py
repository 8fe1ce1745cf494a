"""Anonymous page cache (config/page_cache.py): served from the cache to visitors who are not
logged in, keyed by language and full URL, never for anything personal, and purged by exactly
the changes that alter what a page shows — each change below is made, committed (the purge
runs on commit), and the page read again as an anonymous visitor."""

import datetime as dt
import time

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.models import Department, NewsIndexPage, NewsPage, PolicyPage
from tests.factories import (
    BookingFactory,
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    OpeningIntervalFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = "X-Page-Cache"


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


def read(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, url
    return response, response.content.decode()


def test_a_public_page_is_rendered_once_then_served_from_the_cache(
    client, site_pages, django_assert_max_num_queries
):
    first, html = read(client, "/")
    assert first[HEADER] == "miss"
    with django_assert_max_num_queries(1):  # the entry and its tag versions, in one statement
        second, again = read(client, "/")
    assert second[HEADER] == "hit"
    assert again == html
    for response in (first, second):
        control = response["Cache-Control"]
        assert "public" in control and "s-maxage=30" in control and "max-age=0" in control
        vary = {v.strip() for v in response["Vary"].split(",")}
        assert {"Cookie", "Accept-Language"} <= vary
        assert not response.cookies
        assert "csrfmiddlewaretoken" not in again
        # The security headers are added to a hit as to any page.
        assert response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"


def test_each_language_has_its_own_entry_and_the_query_string_is_part_of_the_key(client):
    InstrumentFactory(name="透射电子显微镜", category="analytical")
    InstrumentFactory(name="飞秒激光器", category="laser")
    _, chinese = read(client, "/instruments/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english_response, english = read(client, "/instruments/", HTTP_ACCEPT_LANGUAGE="en")
    assert english_response[HEADER] == "miss"
    assert "仪器共享" in chinese and "仪器共享" not in english
    assert read(client, "/instruments/", HTTP_ACCEPT_LANGUAGE="en")[1] == english
    client.cookies["django_language"] = "en"
    assert read(client, "/instruments/")[1] == english
    del client.cookies["django_language"]
    _, lasers = read(client, "/instruments/?category=laser", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "飞秒激光器" in lasers and "透射电子显微镜" not in lasers


def test_a_logged_in_visitor_never_gets_the_anonymous_copy_nor_leaves_one(client, site_pages):
    read(client, "/")
    user = UserFactory(username="zhang.san")
    client.force_login(user)
    response, html = read(client, "/")
    assert response.get(HEADER) is None
    assert "zhang.san" in html
    assert "private" in response["Cache-Control"]
    client.logout()
    client.cookies.clear()
    response, html = read(client, "/")
    assert response[HEADER] == "hit"
    assert "zhang.san" not in html


def test_a_visitor_with_messages_waiting_is_not_served_from_the_cache(client, site_pages):
    read(client, "/")
    client.cookies["messages"] = "anything"
    response, _ = read(client, "/")
    assert response.get(HEADER) is None


def test_a_page_with_a_csrf_token_is_never_cached(client, site_pages):
    article = NewsPage.objects.live().first()
    PageViewRestriction.objects.create(
        page=article, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    for _ in range(2):
        response, html = read(client, article.url)
        assert response[HEADER] == "pass"
        assert "csrfmiddlewaretoken" in html
        assert "csrftoken" in response.cookies
        client.cookies.clear()


def test_personal_pages_are_not_touched(client):
    response = client.get("/accounts/login/")
    assert HEADER not in response
    assert "private" in response["Cache-Control"]


def test_changing_a_listing_purges_its_page_and_the_lists_but_not_other_listings(client, commit):
    instrument = InstrumentFactory(name="透射电子显微镜")
    other = InstrumentFactory(name="飞秒激光器")
    detail = instrument.get_absolute_url()
    for url in ("/instruments/", detail, other.get_absolute_url(), "/"):
        client.get(url)
    assert read(client, detail)[0][HEADER] == "hit"

    def rename():
        instrument.name = "冷冻透射电子显微镜"
        instrument.save()

    commit(rename)
    assert "冷冻透射电子显微镜" in read(client, detail)[1]
    assert "冷冻透射电子显微镜" in read(client, "/instruments/")[1]
    assert read(client, other.get_absolute_url())[0][HEADER] == "hit"


def test_a_listing_approved_appears_and_one_withdrawn_disappears(client, commit):
    shown = InstrumentFactory(name="透射电子显微镜")
    pending = InstrumentFactory(name="飞秒激光器", live=False)
    assert "飞秒激光器" not in read(client, "/instruments/")[1]
    assert client.get(pending.get_absolute_url()).status_code == 404

    commit(lambda: pending.save_revision().publish())
    assert "飞秒激光器" in read(client, "/instruments/")[1]
    assert read(client, pending.get_absolute_url())[0][HEADER] == "miss"

    read(client, shown.get_absolute_url())
    commit(shown.unpublish)
    assert "透射电子显微镜" not in read(client, "/instruments/")[1]
    assert client.get(shown.get_absolute_url()).status_code == 404


def test_a_draft_revision_purges_nothing(client, commit):
    instrument = InstrumentFactory(name="透射电子显微镜")
    read(client, instrument.get_absolute_url())

    def draft():
        instrument.name = "草稿名称"
        instrument.save_revision()

    commit(draft)
    response, html = read(client, instrument.get_absolute_url())
    assert response[HEADER] == "hit" and "草稿名称" not in html


def test_a_booking_takes_its_slot_off_the_calendar_which_is_never_cached(client, commit):
    """Free slots are offered on the booking calendar only (issue 15), which is never cached:
    a booking's slot is gone from it at once."""
    instrument = InstrumentFactory(min_notice_hours=0, min_minutes=60)
    day = timezone.localdate() + dt.timedelta(days=2)
    OpeningIntervalFactory(
        instrument=instrument, weekday=day.weekday(), start=dt.time(9, 0), end=dt.time(11, 0)
    )
    url = f"/instruments/{instrument.code}/calendar/?week={day.isoformat()}"
    first = read(client, url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'class="slot"' in first[1] and HEADER not in first[0]
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    commit(
        lambda: BookingFactory(
            instrument=instrument,
            start=start,
            end=start + dt.timedelta(hours=2),
            status="confirmed",
        )
    )
    response, html = read(client, url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert HEADER not in response
    assert 'class="slot"' not in html


def test_a_vacancy_change_shows_on_the_incubator_page_and_list(client, commit):
    incubator = IncubatorFactory(workstations_vacant=12, workstations_total=100)
    url = incubator.get_absolute_url()
    assert "<strong>12</strong>" in read(client, url)[1]
    read(client, "/incubators/")

    def fill():  # a residency acceptance takes 9 of the 12 (a counter row, no post_save)
        from django.db import transaction

        from marketplace.catalogue import capacity

        with transaction.atomic():
            capacity.take_workstations(incubator, 9)

    commit(fill)
    assert "<strong>3</strong>" in read(client, url)[1]
    assert "空余工位 3 / 100" in read(client, "/incubators/", HTTP_ACCEPT_LANGUAGE="zh-hans")[1]


def test_an_institution_renamed_shows_on_its_listings(client, commit):
    institution = InstitutionFactory(name="云南大学")
    instrument = InstrumentFactory(institution=institution)
    assert "云南大学" in read(client, instrument.get_absolute_url())[1]

    def rename():
        institution.name = "云南师范大学"
        institution.save()

    commit(rename)
    assert "云南师范大学" in read(client, instrument.get_absolute_url())[1]


def test_publishing_and_unpublishing_news_updates_the_home_and_the_index(
    client, site_pages, commit
):
    index = NewsIndexPage.objects.get()
    for url in ("/", index.url):
        read(client, url)
    article = NewsPage(title="省科技厅发布新一批开放仪器", slug="fresh", date=timezone.localdate())

    def publish():
        index.add_child(instance=article)
        article.save_revision().publish()

    commit(publish)
    assert "省科技厅发布新一批开放仪器" in read(client, "/")[1]
    assert "省科技厅发布新一批开放仪器" in read(client, index.url)[1]
    assert "省科技厅发布新一批开放仪器" in read(client, article.url)[1]
    url = article.url
    commit(article.unpublish)
    assert "省科技厅发布新一批开放仪器" not in read(client, index.url)[1]
    assert client.get(url).status_code == 404


def test_a_department_renamed_shows_on_policy_and_department_pages(client, site_pages, commit):
    policy = PolicyPage.objects.live().get()
    department = Department.objects.get(name="省质监局")
    for url in (policy.url, "/departments/", department.get_absolute_url()):
        read(client, url)

    def rename():
        department.name = "省市场监管局"
        department.save()

    commit(rename)
    for url in (policy.url, "/departments/", department.get_absolute_url()):
        response, html = read(client, url)
        assert response[HEADER] == "miss"
        assert "省市场监管局" in html, url


def test_turned_off_it_renders_every_time(client, site_pages, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get("/")
    assert HEADER not in client.get("/")


def test_the_language_menu_works_from_a_cached_page_without_a_token(site_pages):
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get("/").content.decode()
    assert 'class="lang-switch"' in html and "csrfmiddlewaretoken" not in html
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/instruments/"})
    assert response.status_code == 302 and response["Location"] == "/instruments/"
    assert response.cookies["django_language"].value == "en"
    english = visitor.get("/instruments/").content.decode()
    assert "Instrument" in english
    away = visitor.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert away["Location"] == "/"


def test_an_import_purges_the_catalogue_pages_it_changed(client, commit):
    import copy
    import json
    from pathlib import Path

    from django.conf import settings

    from marketplace.catalogue.importer import import_catalogue

    data = json.loads(
        (Path(settings.BASE_DIR) / "data" / "demo-catalogue.json").read_text(encoding="utf-8")
    )
    commit(lambda: import_catalogue(copy.deepcopy(data)))
    record = data["instruments"][0]
    url = f"/instruments/{record['code']}/"
    read(client, url)
    read(client, "/instruments/")
    assert read(client, url)[0][HEADER] == "hit"
    commit(lambda: import_catalogue(copy.deepcopy(data)))  # nothing changes: nothing purged
    assert read(client, url)[0][HEADER] == "hit"
    record["name"] = "导入后改名的仪器"
    commit(lambda: import_catalogue(copy.deepcopy(data)))
    assert "导入后改名的仪器" in read(client, url)[1]
    assert read(client, "/instruments/")[0][HEADER] == "miss"


def test_a_listing_published_shows_on_its_institution_page(client, commit):
    shown = InstrumentFactory(name="透射电子显微镜")
    pending = InstrumentFactory(name="飞秒激光器", live=False, institution=shown.institution)
    url = f"/institutions/{shown.institution.code}/"
    assert "飞秒激光器" not in read(client, url)[1]
    assert read(client, url)[0][HEADER] == "hit"
    commit(lambda: pending.save_revision().publish())
    response, html = read(client, url)
    assert response[HEADER] == "miss" and "飞秒激光器" in html


def test_a_hit_on_this_process_copy_reads_only_the_tags_versions(client, commit):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    commit(lambda: InstrumentFactory(code="LOCAL-1", name="拉曼光谱仪"))
    url = "/api/v1/instruments/LOCAL-1/"
    first, body = read(client, url)
    assert first[HEADER] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second, again = read(client, url)
    assert second[HEADER] == "hit" and again == body
    # One statement, for the tags alone: the page's bytes come from this process's copy.
    assert len(queries) == 1
    assert "pagecache:page:" not in queries[0]["sql"]
    assert "pagecache:tag:" in queries[0]["sql"]
    # The copy lives on while the tags keep their versions, even if the shared entry went.
    pages = [key for key in _shared_keys() if key.startswith("pagecache:page:")]
    assert pages
    caches["pages"].delete_many(pages)
    assert read(client, url)[0][HEADER] == "hit"


def _shared_keys() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM django_page_cache")
        return [row[0].removeprefix(":1:") for row in cursor.fetchall()]


def test_a_purge_on_any_server_outdates_this_process_copy(client, commit):
    from django.core.cache import caches

    commit(lambda: InstrumentFactory(code="LOCAL-2", name="旧名称光谱仪"))
    url = "/api/v1/instruments/LOCAL-2/"
    read(client, url)
    assert read(client, url)[0][HEADER] == "hit"
    # Another server renames it: the purge bumps the tags in the shared store only.
    commit(lambda: _rename("LOCAL-2", "新名称光谱仪"))
    response, body = read(client, url)
    assert response[HEADER] == "miss"
    assert "新名称光谱仪" in body and "旧名称光谱仪" not in body
    # Another process (no copy of its own) reads the page this one filed: a hit, then kept.
    caches["pages_local"].clear()
    response, again = read(client, url)
    assert response[HEADER] == "hit" and again == body


def _rename(code: str, name: str) -> None:
    from marketplace.catalogue.models import Instrument

    instrument = Instrument.objects.get(code=code)
    instrument.name = name
    instrument.save()


def test_pages_over_the_size_bound_and_a_bound_of_none_keep_no_copy(client, commit, settings):
    from django.core.cache import caches

    commit(lambda: InstrumentFactory(code="LOCAL-3"))
    url = "/api/v1/instruments/LOCAL-3/"
    settings.PAGE_CACHE_LOCAL_MAX_BYTES = 10
    read(client, url)
    assert read(client, url)[0][HEADER] == "hit"  # from the shared store
    local = caches[settings.PAGE_CACHE_LOCAL_ALIAS]
    assert not local._cache
    settings.PAGE_CACHE_LOCAL_ALIAS = None
    assert read(client, url)[0][HEADER] == "hit"
    assert not local._cache


def test_a_copy_lives_no_longer_than_the_page_since_it_was_rendered(client, commit, settings):
    """A copy read from the shared store keeps the entry's render time: an entry rendered
    PAGE_CACHE_SECONDS ago is served (the shared store still holds it) but not copied."""
    from django.core.cache import caches

    commit(lambda: InstrumentFactory(code="LOCAL-4"))
    url = "/api/v1/instruments/LOCAL-4/"
    read(client, url)
    local = caches[settings.PAGE_CACHE_LOCAL_ALIAS]
    assert local._cache  # rendered here: copied
    local.clear()
    shared = caches["pages"]
    (key,) = [k for k in _shared_keys() if k.startswith("pagecache:page:")]
    entry = shared.get(key)
    assert len(entry) == 5 and entry[4] <= time.time()
    shared.set(key, (*entry[:4], entry[4] - settings.PAGE_CACHE_SECONDS), 60)
    assert read(client, url)[0][HEADER] == "hit"
    assert not local._cache
    # An entry filed before entries carried their render time is served, never copied.
    shared.set(key, entry[:4], 60)
    response, _body = read(client, url)
    assert response[HEADER] == "hit"
    assert not local._cache
