"""The lists' `q=` (marketplace/catalogue/filters.py): a case-insensitive substring of any of
the kind's text columns, the same rows on SQLite and PostgreSQL — and on PostgreSQL served by
the trigram indexes of migration catalogue.0010 instead of reading every listing."""

import pytest
from django.db import connection

from marketplace.catalogue.filters import SEARCH_FIELDS
from marketplace.catalogue.models import Incubator, Instrument, Technology
from tests.factories import IncubatorFactory, InstrumentFactory, TechnologyFactory

pytestmark = pytest.mark.django_db

API = "/api/v1"
MODELS = {"instrument": Instrument, "incubator": Incubator, "technology": Technology}
LISTS = {"instrument": "instruments", "incubator": "incubators", "technology": "technologies"}


@pytest.fixture
def listings():
    InstrumentFactory(code="A-SEM", name="场发射扫描电子显微镜", model_number="SU8220")
    InstrumentFactory(code="A-TEM", name="透射电镜", description="配备冷冻样品杆的透射显微镜")
    InstrumentFactory(code="A-XRD", name="X射线衍射仪", manufacturer="Bruker AXS")
    InstrumentFactory(code="A-PCT", name="比例100%_测试仪", model_number="P_1")
    InstrumentFactory(code="A-DRAFT", name="草稿显微镜", live=False)
    IncubatorFactory(code="B-1", name="滇池创客空间", address="昆明市呈贡区大学城")
    IncubatorFactory(code="B-2", name="春城孵化器", description="面向生物医药的专业孵化器")
    TechnologyFactory(code="C-1", title="三七皂苷提取工艺", field="生物医药")
    TechnologyFactory(code="C-2", title="高原光伏支架", summary="适合 HIGH altitude 的支架")


def expected(kind: str, query: str) -> list[str]:
    """What `q` promises, computed in Python from every published row."""
    needle = query.lower()
    return sorted(
        listing.code
        for listing in MODELS[kind].objects.filter(live=True)
        if any(needle in (getattr(listing, f) or "").lower() for f in SEARCH_FIELDS[kind])
    )


QUERIES = {
    "instrument": [
        "显微镜",
        "电镜",
        "镜",
        "su8220",
        "SU82",
        "bruker axs",
        "冷冻样品",
        "100%",
        "_",
        "P_1",
        "无此词",
    ],
    "incubator": ["创客", "呈贡区", "生物医药", "孵化器", "无此词"],
    "technology": ["三七", "生物医药", "high ALTITUDE", "光伏支架", "无此词"],
}


@pytest.mark.parametrize("kind", QUERIES)
def test_q_finds_the_listings_that_contain_it_in_any_field(listings, api_client, kind):
    for query in QUERIES[kind]:
        body = api_client.get(f"{API}/{LISTS[kind]}/", {"q": query}).json()
        assert sorted(item["code"] for item in body["results"]) == expected(kind, query), query
        assert body["count"] == len(expected(kind, query)), query


def test_the_drafts_and_the_wildcards_behave(listings, api_client):
    found = api_client.get(f"{API}/instruments/", {"q": "显微镜"}).json()
    assert sorted(item["code"] for item in found["results"]) == ["A-SEM", "A-TEM"]
    # % and _ are characters to find, not LIKE wildcards.
    assert [
        i["code"] for i in api_client.get(f"{API}/instruments/", {"q": "%_"}).json()["results"]
    ] == ["A-PCT"]


@pytest.mark.postgres
def test_on_postgresql_q_is_served_by_the_trigram_indexes(listings):
    from marketplace.catalogue.filters import apply_filters
    from marketplace.catalogue.models import IncubatorCapacity

    # Enough published rows that reading the whole table is not what the planner picks.
    filler = {
        "instrument": InstrumentFactory.build_batch(
            3000, institution=Instrument.objects.first().institution
        ),
        "incubator": IncubatorFactory.build_batch(
            3000, institution=Incubator.objects.first().institution
        ),
        "technology": TechnologyFactory.build_batch(
            3000, institution=Technology.objects.first().institution
        ),
    }
    for kind, model in MODELS.items():
        created = model.objects.bulk_create(filler[kind], batch_size=1000)
        if kind == "incubator":
            IncubatorCapacity.objects.bulk_create(IncubatorCapacity(incubator=i) for i in created)
        names = {name for name, _column in _trigram_indexes(kind)}
        with connection.cursor() as cursor:
            # New rows wait in a GIN index's pending list until a vacuum (autovacuum, after
            # an import) moves them into the index proper; the planner counts that list.
            for name in names:
                cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
            cursor.execute(f"ANALYZE {model._meta.db_table}")
        queryset, _ = apply_filters(
            kind, model.objects.published().order_by("code"), {"q": "生物医药"}
        )
        with connection.cursor() as cursor:
            # At 3,000 rows reading the table is still cheap; at 40,000 it is 290–570 ms.
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
            cursor.execute("SET LOCAL enable_seqscan = on")
        used = {name for name in names if name in plan}
        assert used == names, plan  # every column of SEARCH_FIELDS, one index each
        assert sorted(queryset.values_list("code", flat=True)) == expected(kind, "生物医药")


def _trigram_indexes(kind):
    import importlib

    migration = importlib.import_module(
        "marketplace.catalogue.migrations.0010_listing_search_trigram_indexes"
    )
    columns = dict(migration.TRIGRAM_INDEXES)[kind]
    assert sorted(column for _name, column in columns) == sorted(SEARCH_FIELDS[kind])
    return columns
