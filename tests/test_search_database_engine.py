"""The embedded engine end to end: indexing through signals, queries, facets, the API and
the page. (The Elasticsearch engine runs the same checks in test_search_elasticsearch.py.)"""

from __future__ import annotations

import pytest

from search.engines import database_engine
from search.models import IndexOperation, SearchDocument
from search.query import parse_request, run
from tests.test_search_fixtures import build_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_engine(settings):
    """These tests are about the embedded engine even where ELASTICSEARCH_URL is set (CI)."""
    settings.SEARCH_ENGINE = "database"


@pytest.fixture
def catalogue(django_capture_on_commit_callbacks):
    return build_catalogue(django_capture_on_commit_callbacks)


@pytest.fixture
def catalogue_and_pages(django_capture_on_commit_callbacks):
    return build_catalogue(django_capture_on_commit_callbacks, pages=True)


def codes(q="", **filters):
    params = {"q": q, **filters}
    result = run(database_engine(), parse_request(params))
    return [hit.code for hit in result.hits]


def search(q="", **params):
    return run(database_engine(), parse_request({"q": q, **params}))


def test_signals_index_everything_published_and_empty_the_outbox(catalogue_and_pages):
    assert IndexOperation.objects.count() == 0
    assert SearchDocument.objects.filter(kind="instrument").count() == 5
    assert set(SearchDocument.objects.values_list("kind", flat=True)) == {
        "instrument",
        "incubator",
        "technology",
        "news",
        "policy",
    }


def test_drafts_are_never_found(catalogue):
    assert "YLU-TEM-DRAFT" not in codes("透射电子显微镜")
    assert "YLU-TEM-DRAFT" not in codes("草稿")
    assert not SearchDocument.objects.filter(code="YLU-TEM-DRAFT").exists()


def test_synonym_finds_the_full_name(catalogue):
    assert codes("扫描电镜")[0] == "YLU-SEM-01"
    assert codes("SEM")[0] == "YLU-SEM-01"
    assert "QJ-LCMS-01" in codes("液质")
    assert "QJ-LCMS-01" in codes("LC-MS")


def test_compound_term_matches_by_phrase_not_by_subwords(catalogue):
    found = codes("二氧化碳培养箱", kind="instrument")
    assert found == ["YLU-CO2-01"]  # 二氧化硅…培养箱 has the characters, not the terms


def test_one_and_two_character_queries(catalogue):
    assert "YLU-CO2-01" in codes("箱")
    assert set(codes("质谱", kind="instrument")) == {"QJ-LCMS-01", "YLU-HRMS-01"}


def test_mixed_scripts_and_model_numbers(catalogue):
    assert codes("Orbitrap Exploris 480 高分辨质谱仪")[0] == "YLU-HRMS-01"
    assert codes("SU8220") == ["YLU-SEM-01"]
    assert codes("su 8220") == ["YLU-SEM-01"]


def test_pinyin_and_initials_find_names(catalogue):
    assert codes("sanqi")[0] == "T-SANQI"
    assert "BN-MAKER" in codes("zckj")
    assert codes("daiwen")[0] == "T-OCR"


def test_a_wide_match_is_ranked_by_name_matches_then_shorter_title(catalogue, monkeypatch):
    """Above RANK_ALL matches the database's own ranking is skipped (docs/performance.md,
    bounded name ranking): what matches in a name comes first, the shorter title first,
    body-only matches after; the count and the filters are those of the exact ranking."""
    from search.backends import database

    narrow = {q: search(q).count for q in ("培养箱", "质谱")}
    monkeypatch.setattr(database, "RANK_ALL", 0)
    assert codes("培养箱") == ["YLU-CO2-01", "QJ-SI-01"]  # the second has it in its text only
    assert codes("质谱")[:2] == ["YLU-HRMS-01", "QJ-LCMS-01"]  # 高分辨质谱仪 is shorter
    assert {q: search(q).count for q in narrow} == narrow
    assert codes("培养箱", kind="instrument", region="530300") == ["QJ-SI-01"]


def test_several_chinese_terms_need_every_term(catalogue):
    # PostgreSQL answers these with one scan of every term's conditions ANDed
    assert codes("三七 纯化") == ["T-SANQI"]
    assert codes("三七 纯化", sort="newest") == ["T-SANQI"]
    result = search("质谱 色谱")
    assert [hit.code for hit in result.hits] == ["QJ-LCMS-01"] and result.count == 1


def test_one_character_typo_falls_back_to_similar_results(catalogue):
    result = search("扫描电境")
    assert result.relaxed
    assert result.hits[0].code == "YLU-SEM-01"


def test_facet_counts_are_exact_and_exclude_their_own_filter(catalogue):
    result = search("", kind="instrument")
    facets = dict(result.facets["kind"])
    assert facets["instrument"] == 5
    assert facets["incubator"] == 2  # the kind facet ignores the kind filter
    regions = dict(result.facets["region"])
    assert regions == {"530100": 3, "530300": 2}
    assert dict(result.facets["service_mode"]) == {"machine_time": 4, "sample_testing": 5}
    assert result.count == 5


def test_filters_combine(catalogue):
    assert set(codes("", kind="instrument", region="530300")) == {"QJ-LCMS-01", "QJ-SI-01"}
    assert codes(
        "", kind="instrument", service_mode="machine_time", region="530300", hourly_price="300-600"
    ) == ["QJ-SI-01"]
    assert codes("", vacancy="yes") == ["BN-MAKER"]
    assert codes("", trl="7-9") == ["T-OCR"]
    assert codes("", ip_type="software_copyright") == ["T-OCR"]
    assert set(codes("", kind="technology,incubator", institution="QJLAB")) == {"T-OCR"}


def test_a_filter_follows_a_change_of_the_filtered_value(
    catalogue, django_capture_on_commit_callbacks
):
    """What a facet filter selects is kept between searches; an edit is seen at once."""
    from decimal import Decimal

    assert "QJ-SI-01" in codes("", kind="instrument", hourly_price="300-600")
    assert "QJ-SI-01" not in codes("", kind="instrument", hourly_price="0-100")
    with django_capture_on_commit_callbacks(execute=True):
        catalogue["apart"].price_hourly = Decimal("80.00")
        catalogue["apart"].save()
    assert "QJ-SI-01" not in codes("", kind="instrument", hourly_price="300-600")
    assert "QJ-SI-01" in codes("", kind="instrument", hourly_price="0-100")
    assert dict(search("", kind="instrument").facets["hourly_price"])["0-100"] >= 1


def test_sorting_by_price_and_newest(catalogue_and_pages):
    by_price = codes("", kind="instrument", sort="price")
    assert by_price[0] == "QJ-SI-01" or by_price[-1] == "QJ-LCMS-01"
    news = run(database_engine(), parse_request({"kind": "news", "sort": "newest"}))
    assert news.count >= 2


def test_unpublish_and_delete_remove_the_hit(catalogue, django_capture_on_commit_callbacks):
    sem = catalogue["sem"]
    with django_capture_on_commit_callbacks(execute=True):
        sem.live = False
        sem.save()
    assert "YLU-SEM-01" not in codes("扫描电镜")
    with django_capture_on_commit_callbacks(execute=True):
        catalogue["ocr"].delete()
    assert codes("傣文") == []


def test_edit_is_in_the_embedded_index_at_once_and_queued_for_other_engines_until_commit(
    catalogue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lcms = catalogue["lcms"]
        lcms.name = "超高效液相色谱串联质谱仪"
        lcms.save()
        # the embedded index is part of the same transaction
        assert codes("串联") == ["QJ-LCMS-01"]
        assert IndexOperation.objects.filter(key=f"instrument:{lcms.pk}").exists()
    assert callbacks  # the drain waits for the commit
    for callback in callbacks:
        callback()
    assert not IndexOperation.objects.exists()


def test_wagtail_unpublish_removes_a_news_page(
    catalogue_and_pages, django_capture_on_commit_callbacks
):
    from cms.models import NewsPage

    page = NewsPage.objects.live().first()
    assert catalogue_and_pages
    assert str(page.pk) in codes(page.title[:6], kind="news")
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert str(page.pk) not in codes(page.title[:6], kind="news")


def test_suggestions_by_chinese_pinyin_and_initials(catalogue):
    engine = database_engine()
    assert "场发射扫描电子显微镜" in engine.suggest("扫描")
    assert "版纳雨林众创空间" in engine.suggest("banna")
    assert "版纳雨林众创空间" in engine.suggest("bnyl")
    assert engine.suggest("   ") == []


def test_body_words_are_found_but_never_suggested_as_titles(catalogue):
    """Fields stay apart (on PostgreSQL: separate title, alias and body vectors): a word of
    a description finds its listing, but suggestions come from titles, pinyin and initials."""
    engine = database_engine()
    assert codes("形貌") == ["YLU-SEM-01"]
    assert codes("温控") == ["QJ-SI-01"]
    assert engine.suggest("形貌") == []
    assert engine.suggest("温控") == []
    assert "场发射扫描电子显微镜" in engine.suggest("changfa")


@pytest.mark.postgres
def test_postgresql_vectors_follow_every_change_of_a_row(catalogue):
    """The three stored vectors (migration 0005), in their own narrow table (0006), are kept
    by triggers: a title, a body and a pinyin change each show in their own vector only, and
    a removed document takes its vectors with it."""
    from django.db import connection

    from search.backends.database import VECTOR_TABLE

    row = SearchDocument.objects.get(code="YLU-SEM-01")

    def vectors():
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT title_vector::text, alias_vector::text, body_vector::text "  # noqa: S608
                f"FROM {VECTOR_TABLE} WHERE id = %s",
                [row.pk],
            )
            return cursor.fetchone()

    title, alias, body = vectors()
    assert title.startswith("'zq") and "A" in title and "B" not in title
    assert "'sao':" in alias and "'saomiao'" not in alias
    assert "'xingmao'" not in body
    SearchDocument.objects.filter(pk=row.pk).update(
        title_tokens="newtitleword", body_tokens="newbodyword", pinyin="xin"
    )
    title, alias, body = vectors()
    assert title == "'newtitleword':1A"
    assert body == "'newbodyword':1B"
    assert "'xin':1C" in alias and "'sao'" not in alias
    assert codes("newbodyword") == ["YLU-SEM-01"]
    assert database_engine().suggest("newbodyword") == []
    assert database_engine().suggest("newtitleword") == [row.title]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {VECTOR_TABLE}")  # noqa: S608
        before = cursor.fetchone()[0]
    assert before == SearchDocument.objects.count()
    SearchDocument.objects.filter(pk=row.pk).delete()
    assert vectors() is None
    assert codes("newbodyword") == []
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {VECTOR_TABLE}")  # noqa: S608
        assert cursor.fetchone()[0] == before - 1


BAD_QUERIES = ["", " ", "!!!", '"', "*", "电镜*", "NEAR(电 镜)", "a OR b", "AND", "title:x"]
BAD_QUERIES += ["'", "\\", "电镜" * 5000, "()", "^", "-", "x" * 10000, "\u3000", "🙂", "%_"]


def test_bad_input_never_breaks_the_api(catalogue, api_client):
    for query in BAD_QUERIES:
        for path in ("/api/v1/search/", "/api/v1/search/suggest/"):
            response = api_client.get(path, {"q": query})
            assert response.status_code == 200, (path, query)
    body = api_client.get("/api/v1/search/", {"q": "!!!"}).json()
    assert set(body) >= {"count", "results", "facets"}


def test_unknown_facet_values_are_a_clear_400(api_client, db):
    response = api_client.get(
        "/api/v1/search/", {"kind": "spaceship", "region": "999999", "sort": "x"}
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"kind", "region", "sort"}
    assert api_client.get("/api/v1/search/", {"page": "0"}).status_code == 400
    assert api_client.get("/api/v1/search/", {"page": "500", "page_size": "100"}).status_code == 400
    assert api_client.get("/api/v1/search/", {"q": "a\x00b"}).status_code == 400


def test_api_shape_and_highlight(catalogue, api_client):
    body = api_client.get("/api/v1/search/", {"q": "电镜", "kind": "instrument"}).json()
    assert body["count"] == 1
    hit = body["results"][0]
    assert set(hit) == {"kind", "code", "title", "url", "snippet", "details", "summary"}
    assert hit["kind"] == "instrument"
    assert hit["details"]["institution"] == "云岭理工大学"
    assert hit["details"]["price_hourly"] == "450.00"
    assert hit["url"] == "/instruments/YLU-SEM-01/"
    assert "<mark>" in hit["snippet"]
    assert {"value": "instrument", "count": 1, "label": "仪器"} in body["facets"]["kind"]


def test_suggest_api(catalogue, api_client):
    body = api_client.get("/api/v1/search/suggest/", {"q": "sanqi"}).json()
    assert body["suggestions"][0].startswith("三七")
    assert api_client.get("/api/v1/search/suggest/").json()["suggestions"] == []


def test_query_counts_are_pinned(
    catalogue_and_pages, api_client, client, django_assert_num_queries, monkeypatch
):
    from search.backends import database

    run(database_engine(), parse_request({"q": "质谱"}))  # warm caches (site root paths)
    # the same on both databases (PostgreSQL's `enable_seqscan = off` rides on the stamp
    # statement): index stamp (are the facet arrays current?), the ids of every match, the
    # scores (of the name matches on PostgreSQL; of every match of a narrow query on
    # SQLite), the page of hits, institution labels
    with django_assert_num_queries(5):
        api_client.get("/api/v1/search/", {"q": "电镜"})
    # the same words again, under other filters: the matches and scores are kept in the
    # process while the index is unchanged, so no full-text statement, and the stamp is
    # read with the page of hits: that statement and the institution labels
    with django_assert_num_queries(2):
        api_client.get("/api/v1/search/", {"q": "电镜", "kind": "instrument"})
    # an empty query needs no full-text statement either, and adds department labels
    # (policy facet)
    with django_assert_num_queries(3):
        api_client.get("/api/v1/search/", {"q": ""})
    with django_assert_num_queries(1):
        api_client.get("/api/v1/search/suggest/", {"q": "扫描"})
    # the page adds institutions whose name matches
    with django_assert_num_queries(3):
        client.get("/search/", {"q": "电镜"})
    with django_assert_num_queries(6):
        client.get("/search/", {"q": "培养箱"})
    # a wide query (more than RANK_ALL matches) is ranked without a scoring statement
    monkeypatch.setattr(database, "RANK_ALL", 0)
    with django_assert_num_queries(4):
        api_client.get("/api/v1/search/", {"q": "液质"})


def test_kept_matches_answer_as_a_fresh_search_does(catalogue):
    """A query seen before, under other filters, sorts and pages, answers exactly what an
    engine that never saw it answers."""
    from search.backends.database import DatabaseEngine

    requests = [
        {"q": "电镜"},
        {"q": "电镜", "kind": "instrument"},
        {"q": "电镜", "sort": "newest"},
        {"q": "电镜", "sort": "price", "page_size": "1", "page": "2"},
        {"q": "质谱 仪"},
        {"q": "质谱 仪", "kind": "instrument", "sort": "newest"},
        {"q": "sanqi"},
        {"q": "sanqi", "kind": "technology"},
    ]
    kept = database_engine()
    for params in requests + requests[::-1]:
        again = run(kept, parse_request(params))
        fresh = run(DatabaseEngine(), parse_request(params))
        assert again.count == fresh.count, params
        assert again.facets == fresh.facets, params
        assert [(h.code, h.snippet) for h in again.hits] == [
            (h.code, h.snippet) for h in fresh.hits
        ], params
    assert kept.kept.entries  # the repeats were answered from what was kept


def test_kept_matches_follow_every_change_of_the_index(
    catalogue, django_capture_on_commit_callbacks
):
    """A kept query sees an edit, an unpublish and a delete at once (the index's stamp)."""
    assert codes("串联", kind="instrument") == []
    with django_capture_on_commit_callbacks(execute=True):
        catalogue["lcms"].name = "超高效液相色谱串联质谱仪"
        catalogue["lcms"].save()
    assert codes("串联") == ["QJ-LCMS-01"]
    assert search("串联", kind="instrument").count == 1
    sem = catalogue["sem"]
    assert "YLU-SEM-01" in codes("扫描电镜")
    with django_capture_on_commit_callbacks(execute=True):
        sem.live = False
        sem.save()
    assert "YLU-SEM-01" not in codes("扫描电镜")
    assert codes("傣文") == [catalogue["ocr"].code]
    with django_capture_on_commit_callbacks(execute=True):
        catalogue["ocr"].delete()
    assert codes("傣文") == []


def test_search_page_renders_tabs_facets_and_highlights(catalogue, client):
    response = client.get("/search/", {"q": "质谱"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<mark>质谱</mark>" in html
    assert "search/suggest.js" in html
    assert "kind=instrument" in html


def test_search_page_without_results_suggests(catalogue, client):
    html = client.get("/search/", {"q": "Ｚ宇宙飞船Ｚ"}).content.decode()
    assert response_ok(html)


def response_ok(html: str) -> bool:
    return "没有找到" in html or "No results" in html


def test_search_page_with_bad_filter_says_so_and_still_searches(catalogue, client):
    response = client.get("/search/", {"q": "电镜", "region": "nowhere"})
    assert response.status_code == 200
    assert "region" in response.content.decode()


def test_rebuild_command_recreates_the_index(catalogue):
    from django.core.management import call_command

    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index", "--no-progress", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert SearchDocument.objects.filter(kind="instrument").count() == 5
    assert codes("扫描电镜")[0] == "YLU-SEM-01"


def test_commands_report_a_dead_search_server_without_a_traceback(catalogue, settings):
    from django.core.management import CommandError, call_command

    settings.SEARCH_ENGINE = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"  # closed port
    settings.ELASTICSEARCH_INDEX_PREFIX = "dead-test"
    quiet = open("/dev/null", "w")  # noqa: SIM115
    with pytest.raises(CommandError, match="elasticsearch"):
        call_command(
            "rebuild_search_index", "--engine", "elasticsearch", "--no-progress", stdout=quiet
        )
    IndexOperation.objects.create(key=f"instrument:{catalogue['sem'].pk}")
    with pytest.raises(CommandError, match="更新已保留待下次投递"):
        call_command("drain_search_index", "--force", stdout=quiet)
    assert IndexOperation.objects.get().attempts == 1


def test_healthz_is_degraded_not_down_when_the_search_server_is_dead(client, settings, db):
    settings.SEARCH_ENGINE = "elasticsearch"
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    settings.ELASTICSEARCH_INDEX_PREFIX = "dead-health"
    settings.HEALTHZ_DETAILS = True  # the public body is only the status (issue 14)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["search"]["fallback"] == "database"
    # and searching still works, from the embedded engine
    assert client.get("/api/v1/search/", {"q": "电镜"}).status_code == 200
