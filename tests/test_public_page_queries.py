"""Every public page runs a fixed, small number of queries, whatever the data size (pinned).

Measured on the second request (the first fills the caches a running server keeps warm: the
home page's figures, Wagtail's site root paths, the locales), with the page cache off, so the
number is the page's own rendering cost. Wagtail pages pay 3–4 queries before their content
(the root page, the routed page and its specific row, one for view restrictions): the Site,
the locale, the site root paths and the hreflang links come from the per-process cache
(cms/sites.py, cms/locales.py).
"""

import pytest
from django.db import connection
from django.db.models import Count

from cms.models import (
    Department,
    NewsIndexPage,
    NewsPage,
    NoticeIndexPage,
    PolicyIndexPage,
    PolicyPage,
)
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    OpeningIntervalFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    institutions = [InstitutionFactory() for _ in range(3)]
    for n in range(30):
        instrument = InstrumentFactory(institution=institutions[n % 3], live=n % 5 != 0)
        OpeningIntervalFactory(instrument=instrument)
        IncubatorFactory(institution=institutions[n % 3])
        TechnologyFactory(institution=institutions[n % 3])
    return institutions


def pinned(client, url, queries, django_assert_num_queries):
    assert client.get(url).status_code == 200
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/instruments/", 2),
        ("/instruments/?region=530100&category=analytical", 2),
        ("/incubators/", 2),
        ("/technologies/", 2),
        ("/institutions/", 2),
        # a repeated search, as every pin here is the second request: the words' matches are kept
        # per process under the index stamp (search/backends/database.py KeptMatches), so the
        # stamp and the page's rows come in one statement; the first-time path (6) is pinned in
        # tests/test_search_database_engine.py test_query_counts_are_pinned. The same on PostgreSQL.
        ("/search/?q=显微镜", 3),
    ],
)
def test_catalogue_lists(client, catalogue, url, queries, django_assert_num_queries):
    pinned(client, url, queries, django_assert_num_queries)


def test_catalogue_details(client, catalogue, django_assert_num_queries):
    from marketplace.catalogue.models import Incubator, Instrument, Technology

    instrument = Instrument.objects.published().first()
    # 3, plus the open-sharing summary (issue 19): this year's tally and the approved ratings;
    # free slots are the calendar page's (issue 15), not computed here
    pinned(client, instrument.get_absolute_url(), 5, django_assert_num_queries)
    # without machine time there are no booking rules: neither the opening hours nor the
    # refund tiers are read, only the instrument and the open-sharing summary
    without = InstrumentFactory(institution=catalogue[0], offers_machine_time=False)
    html = pinned(client, without.get_absolute_url(), 3, django_assert_num_queries)
    assert 'id="rules-heading"' not in html
    pinned(client, Incubator.objects.first().get_absolute_url(), 1, django_assert_num_queries)
    pinned(client, Technology.objects.first().get_absolute_url(), 1, django_assert_num_queries)
    # the institution and the first listings of each kind (counted only when there are more
    # than the page shows: 10 each here), plus the open-sharing summary (issue 19)
    pinned(client, f"/institutions/{catalogue[0].code}/", 6, django_assert_num_queries)


def test_institutions_list_counts_only_live_instruments_of_each(client, catalogue):
    html = client.get("/institutions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    # 30 instruments over 3 institutions, every fifth a draft: 8 live each.
    assert html.count("8 台开放仪器") == 3


def test_cms_pages(client, site_pages, django_assert_num_queries):
    policy = PolicyPage.objects.live().annotate(n=Count("responsibilities")).order_by("-n").first()
    department = Department.objects.annotate(n=Count("responsibilities")).order_by("-n").first()
    for url, queries in (
        ("/", 6),
        (NewsIndexPage.objects.get().url, 9),
        (NewsPage.objects.live().first().url, 6),
        (NoticeIndexPage.objects.get().url, 5),
        (PolicyIndexPage.objects.get().url, 9),
        (policy.url, 9),
        ("/departments/", 1),
        (department.get_absolute_url(), 3),
    ):
        pinned(client, url, queries, django_assert_num_queries)


def test_deep_pages_read_their_ids_first_and_show_the_same_rows(
    client, monkeypatch, django_assert_num_queries
):
    from marketplace.catalogue import paging

    institution = InstitutionFactory()
    for n in range(50):
        InstrumentFactory(code=f"DEEP-{n:03d}", institution=institution, live=n % 7 != 0)
    live = [f"DEEP-{n:03d}" for n in range(50) if n % 7 != 0]  # 42 live, sorted by code
    monkeypatch.setattr(paging, "DEFERRED_FROM", 20)
    # The count, the page's ids, the page's rows; on PostgreSQL the ids are read inside the
    # rows' statement.
    deep = 2 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(deep):
        body = client.get("/api/v1/instruments/", {"page": 2}).json()
    assert body["count"] == 42
    assert [item["code"] for item in body["results"]] == live[20:40]
    assert body["results"][0]["institution"]["code"] == institution.code
    last = client.get("/api/v1/instruments/", {"page": 3}).json()
    assert [item["code"] for item in last["results"]] == live[40:]
    html = client.get("/instruments/", {"page": 2}).content.decode()
    assert all(f"/instruments/{code}/" in html for code in live[20:40])
    assert f"/instruments/{live[19]}/" not in html and f"/instruments/{live[40]}/" not in html
    # Shallow pages keep their single query for rows.
    with django_assert_num_queries(2):
        client.get("/api/v1/instruments/", {"page": 1})


def test_site_lookups_follow_a_site_change_and_restrictions_still_apply(client, site_pages):
    """The per-process Site (cms/sites.py) is forgotten when a Site is saved, and the one-query
    view restriction check still refuses a restricted page and its children."""
    from wagtail.models import PageViewRestriction, Site

    news_index = NewsIndexPage.objects.get()
    article = NewsPage.objects.live().first()
    assert client.get(article.url).status_code == 200
    site = Site.objects.get(is_default_site=True)
    site.site_name = "改名后的站点"
    site.save()
    assert client.get("/").status_code == 200  # the saved Site is read again
    restriction = PageViewRestriction.objects.create(
        page=news_index, restriction_type=PageViewRestriction.LOGIN
    )
    for url in (news_index.url, article.url):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
    restriction.delete()
    assert client.get(article.url).status_code == 200


def test_english_cms_pages_stay_within_ten_queries(client, site_pages, django_assert_num_queries):
    """An English visitor reads the Chinese original where no translation is live: routing
    asks for the English root once; the "no English version" notice answers from the page's
    live translations, which the hreflang links have already read."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    policy = PolicyPage.objects.live().annotate(n=Count("responsibilities")).order_by("-n").first()
    for url, queries in (
        ("/", 10),
        (NewsIndexPage.objects.get().url, 10),
        (NewsPage.objects.live().first().url, 7),
        (NoticeIndexPage.objects.get().url, 6),
        (PolicyIndexPage.objects.get().url, 10),
        (policy.url, 10),
    ):
        html = pinned(client, url, queries, django_assert_num_queries)
        assert "has not been translated into English yet" in html


def test_the_missing_translation_notice_follows_a_published_translation(client, site_pages):
    from wagtail.models import Locale

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    article = NewsPage.objects.live().first()
    assert "translation-missing" in client.get(article.url).content.decode()
    assert "translation-missing" in client.get(article.url).content.decode()  # from the cache

    english = article.copy_for_translation(
        Locale.objects.get(language_code="en"), copy_parents=True
    )
    english.title = "An English article"
    english.save_revision().publish()

    html = client.get(article.url).content.decode()
    assert "translation-missing" not in html
    assert 'hreflang="en"' in html
    # Chinese readers never see the notice
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    assert "translation-missing" not in client.get(article.url).content.decode()
