"""A list filtered by region (instruments and technologies: their institution's region) keeps
the ids of the region's institutions with its total, while the catalogue is unchanged: no
query more per request, and an institution that joins, leaves or is new in the region changes
the list at once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InstitutionFactory, InstrumentFactory, TechnologyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _count_cache_on(settings):
    settings.CATALOGUE_COUNT_CACHE = True


def codes(client, path, **query) -> tuple[int, list[str]]:
    body = client.get(path, query).json()
    return body["count"], [item["code"] for item in body["results"]]


def test_an_institution_moved_into_the_region_brings_its_listings_at_once(client, commit):
    kunming = InstitutionFactory(region="530100")
    dali = InstitutionFactory(region="532900")
    commit(lambda: InstrumentFactory(code="KM-1", institution=kunming))
    commit(lambda: InstrumentFactory(code="DL-1", institution=dali))
    commit(lambda: TechnologyFactory(code="T-DL-1", institution=dali))
    assert codes(client, "/api/v1/instruments/", region="530100") == (1, ["KM-1"])
    assert codes(client, "/api/v1/technologies/", region="530100") == (0, [])

    dali.region = "530100"
    commit(dali.save)

    assert codes(client, "/api/v1/instruments/", region="530100") == (2, ["DL-1", "KM-1"])
    assert codes(client, "/api/v1/technologies/", region="530100") == (1, ["T-DL-1"])
    assert codes(client, "/api/v1/instruments/", region="532900") == (0, [])


def test_a_new_institution_of_the_region_shows_with_its_first_listing(client, commit):
    commit(lambda: InstrumentFactory(code="KM-1", institution=InstitutionFactory()))
    assert codes(client, "/api/v1/instruments/", region="530100") == (1, ["KM-1"])

    newcomer = commit(lambda: InstitutionFactory(region="530100"))
    commit(lambda: InstrumentFactory(code="NEW-1", institution=newcomer))

    assert codes(client, "/api/v1/instruments/", region="530100") == (2, ["KM-1", "NEW-1"])
    page = client.get("/instruments/", {"region": "530100"})
    assert "NEW-1" in page.content.decode()


def test_an_institution_that_leaves_the_region_takes_its_listings_along(client, commit):
    kunming = InstitutionFactory(region="530100")
    commit(lambda: InstrumentFactory(code="KM-1", institution=kunming))
    assert codes(client, "/api/v1/instruments/", region="530100") == (1, ["KM-1"])

    kunming.region = "530300"
    commit(kunming.save)

    assert codes(client, "/api/v1/instruments/", region="530100") == (0, [])
    assert codes(client, "/api/v1/instruments/", region="530300") == (1, ["KM-1"])


def test_an_unchanged_catalogue_reads_the_region_without_a_query(client, commit):
    kunming = InstitutionFactory(region="530100")
    commit(lambda: InstrumentFactory.create_batch(3, institution=kunming, category="laser"))
    query = {"region": "530100", "category": "laser"}
    first = client.get("/api/v1/instruments/", query).content
    with CaptureQueriesContext(connection) as queries:
        again = client.get("/api/v1/instruments/", query).content
    assert again == first
    # The kept total and institution ids (one cache read), then the page: the region is not
    # looked up again.
    assert len(queries.captured_queries) == 2
    assert not any("'530100'" in q["sql"] for q in queries)


def test_a_region_without_institutions_is_an_empty_list(client, commit):
    commit(lambda: InstrumentFactory(institution=InstitutionFactory(region="530100")))
    for _ in range(2):  # counted, then kept
        assert codes(client, "/api/v1/instruments/", region="533400") == (0, [])
        assert codes(client, "/api/v1/technologies/", region="533400") == (0, [])


def test_a_list_page_with_an_unknown_filter_value_is_a_400_with_the_count_cache_on(client):
    response = client.get("/instruments/", {"region": "nowhere"})
    assert response.status_code == 400


@pytest.mark.parametrize("kept", [True, False], ids=["count-cache-on", "count-cache-off"])
def test_every_page_of_a_region_is_its_published_listings_in_code_order(
    client, commit, settings, kept
):
    # The region's institution comes last in code order, after listings of others: its
    # page's ids are read first, and must still be the region's, published, in order.
    settings.CATALOGUE_COUNT_CACHE = kept
    early = InstitutionFactory(region="532900")
    kunming = InstitutionFactory(region="530100")

    def listings():
        for n in range(40):
            InstrumentFactory(code=f"A-{n:02d}", institution=early, category="analytical")
            TechnologyFactory(code=f"TA-{n:02d}", institution=early)
        for n in range(23):
            live = n % 5 != 0
            InstrumentFactory(code=f"Z-{n:02d}", institution=kunming, live=live, category="laser")
            TechnologyFactory(code=f"TZ-{n:02d}", institution=kunming, live=live)

    commit(listings)
    wanted = [f"{n:02d}" for n in range(23) if n % 5]
    for path, prefix in (("/api/v1/instruments/", "Z-"), ("/api/v1/technologies/", "TZ-")):
        for page in (1, 2, 3, 4):
            expected = [prefix + n for n in wanted[(page - 1) * 5 : page * 5]]
            for _ in range(2):  # counted, then kept
                query = {"region": "530100", "page_size": 5, "page": page}
                assert codes(client, path, **query) == (len(wanted), expected)
    assert codes(client, "/api/v1/instruments/", region="530100", category="laser") == (
        len(wanted),
        ["Z-" + n for n in wanted[:20]],
    )
    assert codes(client, "/api/v1/instruments/", region="530100", category="analytical") == (
        0,
        [],
    )
    page = client.get("/instruments/", {"region": "530100"}).content.decode()
    assert "Z-01" in page and "Z-00" not in page and "A-01" not in page


def test_kept_region_ids_select_what_djangos_in_selects_in_one_parameter_on_postgresql():
    from django.db.models import F

    from marketplace.catalogue.filters import InIds
    from marketplace.catalogue.models import Instrument

    kunming, dali, other = (InstitutionFactory(region=r) for r in ("530100", "532900", "530300"))
    for institution in (kunming, dali, other):
        InstrumentFactory.create_batch(2, institution=institution)
    ids = [kunming.pk, dali.pk]
    kept = Instrument.objects.filter(InIds(F("institution_id"), ids)).order_by("code")
    django_in = Instrument.objects.filter(institution__in=ids).order_by("code")

    assert list(kept.values_list("code", flat=True)) == list(
        django_in.values_list("code", flat=True)
    )
    assert kept.count() == 4
    sql, params = kept.query.sql_with_params()
    if connection.vendor == "postgresql":
        # The ids one array parameter: a short statement, whatever the region's size.
        assert "= ANY(" in sql
        assert params == (ids,)
    else:
        assert (sql, params) == django_in.query.sql_with_params()
