"""Issue 16 on the demo data, as a user would try it: English names and vendor wording, codes
and patent numbers, full pinyin with synonyms, result lines that can be compared, price
facets per kind in their natural order, and snippets that keep the text's own punctuation.

The same queries run on Elasticsearch in test_search_elasticsearch.py (both engines must
return the same documents)."""

from __future__ import annotations

import pytest

from search import indexing
from search.analysis import highlight, index_tokens, parse_query, query_tokens, stem, tokens
from search.analysis import vocabulary as bilingual_vocabulary
from search.engines import database_engine
from search.query import parse_request, run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _database_engine(settings):
    settings.SEARCH_ENGINE = "database"


@pytest.fixture
def demo(django_capture_on_commit_callbacks):
    from cms.demo import load_demo_pages
    from marketplace.demo import load_demo_catalogue

    with django_capture_on_commit_callbacks(execute=True):
        load_demo_catalogue()
        load_demo_pages()
    indexing.rebuild(database_engine())  # the importer writes in bulk, without signals


def search(q="", **params):
    return run(database_engine(), parse_request({"q": q, "page_size": "50", **params}))


def codes(q="", **params):
    return [hit.code for hit in search(q, **params).hits]


MASS_SPECTROMETERS = {"CCBT-LCMS-01", "DDXC-ICPMS-01", "DDXC-GDMS-01", "HTGY-GCMS-01"}
MICROSCOPES = {"YLU-SEM-01", "YLU-TEM-01", "LCJT-AFM-01", "CCBT-CLSM-01"}
INCUBATORS = {"CCBT-INC-01", "CEMC-INC-01", "XLAN-INC-MZ", "XLAN-INC-PE"}


# --- analysis -----------------------------------------------------------------------------


def test_light_stemming_reduces_plurals_only():
    assert stem("microscopes") == "microscope"
    assert stem("technologies") == "technology"
    assert stem("analysis") == "analysis"
    assert stem("sem") == "sem"
    assert tokens("Mass Spectrometers") == ["mass", "spectrometer"]


def test_the_vocabulary_has_several_hundred_english_entries():
    english = [key for key in bilingual_vocabulary() if key.isascii()]
    assert len(english) >= 500
    assert "质谱仪" in bilingual_vocabulary()["mass spectrometer"]
    assert "扫描电子显微镜" in bilingual_vocabulary()["scanning electron microscope"]
    assert "孵化器" in bilingual_vocabulary()["incubator"]


def test_english_words_that_spell_a_vocabulary_entry_become_one_term():
    assert [term.text for term in parse_query("scanning electron microscope").terms] == [
        "scanning electron microscope"
    ]
    assert [term.text for term in parse_query("tem 01").terms] == ["tem 01"]


def test_cjk_runs_are_indexed_as_bigrams_and_a_lone_character_is_a_prefix():
    assert index_tokens(tokens("普洱茶 CT")) == ["普洱", "洱茶", "茶", "ct"]
    assert query_tokens(("质", "谱")) == (["质谱"], False)
    assert query_tokens(("茶",)) == (["茶"], True)


def test_snippets_keep_the_punctuation_and_start_at_a_boundary():
    text = (
        "超高效液相色谱-三重四极杆质谱联用，配备 ESI 源，赛默飞世尔科技（Thermo Fisher "
        "Scientific）生产，用于小分子定量、代谢组学、药物残留检测。"
    )
    snippet = highlight(text, parse_query("Fisher").highlight_phrases(), width=40)
    assert "<mark>Fisher</mark>" in snippet
    # the window starts at a clause mark or a space, never inside a word ("…ermo Fisher")
    assert snippet.startswith(("…<mark>Fisher", "…Thermo", "（Thermo"))
    snippet = highlight(text, parse_query("代谢组学").highlight_phrases(), width=40)
    assert "、<mark>代谢组学</mark>、" in snippet  # 、 stays 、 (not an ASCII comma)
    assert "microscopes" in highlight("Two microscopes", [("microscope",)])
    assert "<mark>microscopes</mark>" in highlight("Two microscopes", [("microscope",)])


# --- what users type ------------------------------------------------------------------------


def test_english_finds_what_the_chinese_finds(demo):
    assert set(codes("mass spectrometer")[:4]) == MASS_SPECTROMETERS
    assert set(codes("mass spectrometers")[:4]) == MASS_SPECTROMETERS
    assert set(codes("microscope")[:6]) >= MICROSCOPES
    assert set(codes("Microscopes")[:6]) >= MICROSCOPES
    assert set(codes("incubator")) >= INCUBATORS
    assert codes("scanning electron microscope")[0] == "YLU-SEM-01"
    assert codes("flow cytometer") == ["CCBT-FCM-01"]


def test_an_english_name_is_indexed_with_the_title(demo, django_capture_on_commit_callbacks):
    from tests.factories import InstrumentFactory

    assert codes("Walk-in Plant Growth Chamber")[0] == "HTGY-CLIM-01"
    with django_capture_on_commit_callbacks(execute=True):
        InstrumentFactory(code="T-EN-01", name="太赫兹时域光谱仪", name_en="Terahertz Spectrometer")
    # "terahertz" is neither in the vocabulary nor in the Chinese text: only the English name
    assert codes("terahertz") == ["T-EN-01"]


def test_codes_match_with_and_without_separators_and_by_prefix(demo):
    for typed in ("TEM-01", "TEM01", "tem 01", "ylu-tem-01"):
        assert codes(typed)[0] == "YLU-TEM-01", typed
    assert codes("YLU-SEM")[0] == "YLU-SEM-01"
    assert codes("ZL202119201458") == ["HTGY-T003"]
    assert {"HTGY-T003", "CCBT-T001", "LCJT-T002", "DDXC-T004", "HTGY-T008"} <= set(codes("ZL2021"))
    assert codes("2020SR1938251") == ["CEMC-T002"]


def test_full_pinyin_finds_as_much_as_the_chinese_with_synonyms(demo):
    assert set(codes("dianjing")) == set(codes("电镜"))
    assert {"YLU-SEM-01", "YLU-TEM-01", "CCBT-CRYO-01"} <= set(codes("dianjing"))
    assert set(codes("zhipu")) >= MASS_SPECTROMETERS
    assert set(codes("fuhuaqi")) >= INCUBATORS


# --- results people compare ---------------------------------------------------------------


def test_result_lines_show_what_people_compare(demo, api_client):
    body = api_client.get("/api/v1/search/", {"q": "SU8220"}).json()
    sem = body["results"][0]
    assert sem["details"]["institution"] == "云岭理工大学"
    assert sem["details"]["region"] == "530100"
    assert sem["details"]["price_hourly"] == "450.00"
    assert sem["details"]["price_internal_hourly"] == "260.00"
    assert "机时 ¥450/小时（校内 ¥260）" in sem["summary"]
    assert "昆明市" in sem["summary"]

    body = api_client.get("/api/v1/search/", {"q": "小粒咖啡"}).json()
    coffee = body["results"][0]
    assert coffee["code"] == "HTGY-T003"
    assert "TRL" in " ".join(coffee["summary"])
    assert any(part.startswith("报价 ¥") for part in coffee["summary"])

    body = api_client.get("/api/v1/search/", {"q": "星岚蒙自"}).json()
    incubator = next(hit for hit in body["results"] if hit["code"] == "XLAN-INC-MZ")
    assert "国家级" in " ".join(incubator["summary"])
    assert any("空余工位" in part for part in incubator["summary"])


def test_result_lines_in_english(demo, client):
    html = client.get("/search/", {"q": "SU8220"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "machine time ¥450/hour (internal ¥260)" in html


def test_result_lines_and_facet_labels_follow_each_requests_language(demo, api_client):
    """The labels are translated once per language and process, then reused: requests in
    alternating languages each get their own."""
    expected = {
        "zh-hans": ("机时 ¥450/小时（校内 ¥260）", "昆明市", "仪器"),
        "en": ("machine time ¥450/hour (internal ¥260)", "Kunming", "Instruments"),
    }
    for language in ("zh-hans", "en", "zh-hans", "en"):
        body = api_client.get(
            "/api/v1/search/", {"q": "SU8220"}, HTTP_ACCEPT_LANGUAGE=language
        ).json()
        price, city, kind = expected[language]
        assert price in body["results"][0]["summary"]
        assert city in body["results"][0]["summary"]
        regions = {item["value"]: item["label"] for item in body["facets"]["region"]}
        assert regions["530100"] == city
        kinds = {item["value"]: item["label"] for item in body["facets"]["kind"]}
        assert kinds["instrument"] == kind


def test_price_facets_are_per_kind_and_in_their_natural_order(demo):
    result = search("", kind="instrument")
    hourly = [value for value, _count in result.facets["hourly_price"]]
    assert hourly == sorted(hourly, key=["0-100", "100-300", "300-600", "600-1000", "1000-"].index)
    assert result.facets["asking_price"] == []  # instruments have no asking price
    technologies = search("", kind="technology")
    asking = [value for value, _count in technologies.facets["asking_price"]]
    order = ["0-100000", "100000-500000", "500000-1000000", "1000000-5000000", "5000000-"]
    assert asking == sorted(asking, key=order.index)
    assert technologies.facets["hourly_price"] == []
    # filtering by a bucket gives exactly the listings in that range
    for hit in search("", kind="instrument", hourly_price="300-600").hits:
        assert 300 <= float(hit.details["price_hourly"]) < 600


def test_price_sort_within_instruments_is_by_machine_time_fee(demo):
    hits = search("", kind="instrument", sort="price").hits
    prices = [float(hit.details["price_hourly"]) for hit in hits if hit.details["price_hourly"]]
    assert prices == sorted(prices) and len(prices) >= 10
    # instruments without machine time come last
    seen_none = False
    for hit in hits:
        if hit.details["price_hourly"] is None:
            seen_none = True
        else:
            assert not seen_none


def test_facet_counts_follow_an_unpublished_listing(demo, django_capture_on_commit_callbacks):
    from marketplace.catalogue.models import Instrument

    before = dict(search("").facets["kind"])["instrument"]
    with django_capture_on_commit_callbacks(execute=True):
        instrument = Instrument.objects.get(code="YLU-SEM-01")
        instrument.live = False
        instrument.save()
    after = search("")
    assert dict(after.facets["kind"])["instrument"] == before - 1
    assert "YLU-SEM-01" not in codes("SEM")
