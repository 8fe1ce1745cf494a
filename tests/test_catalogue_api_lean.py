"""The catalogue API's lean read path (issue 17) gives what DRF gave, in a fixed number of
queries: the serializers' compiled plan (marketplace.api.LeanRepresentation) against DRF's own
`Serializer.to_representation`, the lists' items (read as values, as the serializer makes
each listing), the totals named by the validated filters, one institution's list and deep pages
read by id."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import override_script_prefix
from django.utils import translation
from rest_framework import serializers

from marketplace.catalogue import api
from marketplace.catalogue.models import (
    Incubator,
    IncubatorCapacity,
    Instrument,
    OpeningInterval,
    Technology,
)
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    OpeningIntervalFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

SERIALIZERS = [
    (Instrument, api.InstrumentSerializer),
    (Instrument, api.InstrumentDetailSerializer),
    (Incubator, api.IncubatorSerializer),
    (Incubator, api.IncubatorDetailSerializer),
    (Technology, api.TechnologySerializer),
    (Technology, api.TechnologyDetailSerializer),
]


@pytest.fixture
def listings():
    """Listings with every optional value set and with every optional value missing."""
    kunming = InstitutionFactory(region="530100")
    dali = InstitutionFactory(region="532900", name="大理大学")
    full = InstrumentFactory(
        code="LEAN-FULL",
        institution=kunming,
        commissioned_on=datetime.date(2019, 5, 17),
        origin_country="JP",
        price_internal_per_sample=Decimal("12.5"),
        offers_machine_time=True,
        offers_sample_testing=False,
    )
    OpeningIntervalFactory(instrument=full)
    InstrumentFactory(
        code="LEAN-BARE",
        institution=dali,
        commissioned_on=None,
        price_hourly=None,
        price_internal_hourly=None,
        price_per_sample=None,
        offers_sample_testing=False,
        offers_machine_time=False,
    )
    with_room = IncubatorFactory(code="LEAN-ROOM", floor_area_m2=Decimal("1234.5"), offices_total=8)
    IncubatorCapacity.objects.update_or_create(
        incubator=with_room, defaults={"workstations_vacant": 150, "offices_vacant": 3}
    )
    IncubatorFactory(code="LEAN-NOGEO", lat=None, lng=None, floor_area_m2=None)
    IncubatorCapacity.objects.filter(incubator__code="LEAN-NOGEO").delete()
    TechnologyFactory(
        code="LEAN-PRICED", institution=dali, asking_price=Decimal("80000"), mode_transfer=True
    )
    TechnologyFactory(code="LEAN-NDA", trl=None, details_under_nda=True, asking_price=None)


def drf_output(serializer_class, instance) -> dict:
    """What DRF's own Serializer.to_representation makes of `instance` (no compiled plan)."""
    serializer = serializer_class(instance)
    return serializers.Serializer.to_representation(serializer, instance)


@pytest.mark.parametrize(("model", "serializer_class"), SERIALIZERS)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_compiled_plan_gives_what_drf_gives(listings, model, serializer_class, language):
    queryset = model.objects.published().select_related("institution").order_by("code")
    rows = list(queryset)
    assert len(rows) == 2
    with translation.override(language):
        for row in rows:
            lean = serializer_class(row).data
            plain = drf_output(serializer_class, row)
            # Byte for byte, as the renderer writes it (key order, strings, nulls).
            assert json.dumps(lean, ensure_ascii=False) == json.dumps(plain, ensure_ascii=False)
            assert list(lean) == list(plain)


def test_list_items_are_the_list_serializer_of_each_listing(client, listings):
    """The list reads only its columns; what it shows is the full row's representation."""
    for path, model, serializer_class in (
        ("/api/v1/instruments/", Instrument, api.InstrumentSerializer),
        ("/api/v1/incubators/", Incubator, api.IncubatorSerializer),
        ("/api/v1/technologies/", Technology, api.TechnologySerializer),
    ):
        body = client.get(path, HTTP_ACCEPT_LANGUAGE="en").json()
        with translation.override("en"):
            expected = [
                json.loads(json.dumps(drf_output(serializer_class, row)))
                for row in model.objects.published().select_related("institution").order_by("code")
            ]
        assert body["results"] == expected
        assert body["count"] == 2


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # the total, then the page's rows with their institution (and vacancies)
        ("/api/v1/instruments/", 2),
        ("/api/v1/instruments/?page_size=100", 2),
        ("/api/v1/instruments/?region=530100&category=analytical&service_mode=machine_time", 2),
        ("/api/v1/incubators/?vacant=1", 2),
        ("/api/v1/technologies/?region=530100&ip_type=invention_patent&trl_min=5", 2),
        ("/api/v1/institutions/", 2),
        # the listing, then its opening hours and refund tiers in one statement
        ("/api/v1/instruments/LEAN-FULL/", 2),
        ("/api/v1/incubators/LEAN-ROOM/", 1),
        ("/api/v1/technologies/LEAN-NDA/", 1),
    ],
)
def test_queries_do_not_grow_with_the_page(client, django_assert_num_queries, path, queries):
    kunming = InstitutionFactory(region="530100")
    for n in range(30):
        instrument = InstrumentFactory(code=f"LEAN-{n:02d}", institution=kunming)
        OpeningIntervalFactory(instrument=instrument)
        IncubatorFactory(institution=kunming, code=f"LEAN-INC-{n:02d}")
        TechnologyFactory(institution=kunming, code=f"LEAN-TEC-{n:02d}")
    InstrumentFactory(code="LEAN-FULL", institution=kunming)
    IncubatorFactory(code="LEAN-ROOM", institution=kunming)
    TechnologyFactory(code="LEAN-NDA", institution=kunming)
    assert client.get(path).status_code == 200
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200


def test_one_institutions_list_is_its_published_instruments_in_code_order(client):
    mine, other = InstitutionFactory(code="MINE"), InstitutionFactory(code="OTHER")
    for code in ("M-3", "M-1", "M-2"):
        InstrumentFactory(code=code, institution=mine)
    InstrumentFactory(code="M-0", institution=mine, live=False)
    InstrumentFactory(code="O-1", institution=other)
    body = client.get("/api/v1/instruments/", {"institution": "MINE"}).json()
    assert body["count"] == 3
    assert [item["code"] for item in body["results"]] == ["M-1", "M-2", "M-3"]
    nobody = client.get("/api/v1/instruments/", {"institution": "NOBODY"}).json()
    assert nobody == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_filtered_deep_page_shows_the_filtered_rows_in_order(
    client, monkeypatch, django_assert_num_queries
):
    from marketplace.catalogue import paging

    kunming, dali = InstitutionFactory(region="530100"), InstitutionFactory(region="532900")
    for n in range(60):
        InstrumentFactory(
            code=f"DEEP-{n:03d}",
            institution=kunming if n % 3 else dali,
            category="analytical" if n % 2 else "laser",
            live=n % 7 != 0,
        )
    wanted = [f"DEEP-{n:03d}" for n in range(60) if n % 3 and n % 2 and n % 7]
    monkeypatch.setattr(paging, "DEFERRED_FROM", 5)
    query = {"region": "530100", "category": "analytical", "page_size": 5, "page": 2}
    # The total, the page's ids, the page's rows; on PostgreSQL the ids are read inside the
    # rows' statement.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        body = client.get("/api/v1/instruments/", query).json()
    assert body["count"] == len(wanted)
    assert [item["code"] for item in body["results"]] == wanted[5:10]
    assert all(item["region"] == "530100" for item in body["results"])


class TestCountsNamedByFilters:
    @pytest.fixture(autouse=True)
    def _count_cache_on(self, settings):
        settings.CATALOGUE_COUNT_CACHE = True

    def test_each_kind_and_filter_has_its_own_total(self, client, commit):
        kunming = InstitutionFactory(code="KM", region="530100")
        commit(lambda: InstrumentFactory.create_batch(2, institution=kunming, name="显微镜"))
        commit(lambda: TechnologyFactory.create_batch(3, institution=kunming))

        def total(path, **query):
            return client.get(path, query).json()["count"]

        assert total("/api/v1/instruments/", region="530100") == 2
        assert total("/api/v1/technologies/", region="530100") == 3
        assert total("/api/v1/instruments/", q="显微镜") == 2
        assert total("/api/v1/instruments/", q="激光") == 0
        # The same filter written differently (padding) is the same list and the same total.
        assert total("/api/v1/instruments/", q=" 显微镜 ") == 2
        assert total("/api/v1/instruments/", institution="KM") == 2
        assert total("/api/v1/instruments/", institution="KM", q="激光") == 0

    def test_one_institutions_total_follows_a_change_at_once(self, client, commit):
        kunming = InstitutionFactory(code="KM")
        first = commit(lambda: InstrumentFactory(institution=kunming))

        def total():
            return client.get("/api/v1/instruments/", {"institution": "KM"}).json()["count"]

        assert total() == 1
        commit(lambda: InstrumentFactory(institution=kunming))
        assert total() == 2
        commit(first.unpublish)
        assert total() == 1


def test_a_listing_made_with_child_rows_keeps_them():
    """Listing.__init__ skips ClusterableModel's scan only for rows read from the database;
    a listing built with its opening hours (as the editor and the importer build them) still
    gets them."""
    institution = InstitutionFactory()
    interval = OpeningInterval(weekday=2, start=datetime.time(9), end=datetime.time(12))
    instrument = InstrumentFactory.build(
        code="CHILD-1", institution=institution, opening_hours=[interval]
    )
    assert list(instrument.opening_hours.all()) == [interval]
    instrument.save()
    again = Instrument.objects.get(code="CHILD-1")
    assert [(i.weekday, i.start) for i in again.opening_hours.all()] == [(2, datetime.time(9))]
    assert again._loaded_institution_id == institution.pk


def test_a_list_follows_each_requests_language(client):
    """The list reads the language once per response, not once per process: lists asked for
    in turn in Chinese and English each show their own labels, nested serializers included."""
    kunming = InstitutionFactory(region="530100")
    InstrumentFactory(code="LANG-1", institution=kunming, category="analytical")
    IncubatorFactory(code="LANG-2", institution=kunming, region="530100", type="maker_space")
    expected = {
        "zh-hans": ("分析仪器", "众创空间", "昆明市"),
        "en": ("Analytical instruments", "Maker space", "Kunming"),
    }
    for language in ("zh-hans", "en", "zh-hans", "en"):
        instruments = client.get("/api/v1/instruments/", HTTP_ACCEPT_LANGUAGE=language).json()
        incubators = client.get("/api/v1/incubators/", HTTP_ACCEPT_LANGUAGE=language).json()
        category, kind, region = expected[language]
        assert [item["category_name"] for item in instruments["results"]] == [category]
        assert [item["type_name"] for item in incubators["results"]] == [kind]
        assert [item["region_name"] for item in incubators["results"]] == [region]


def test_a_list_follows_each_requests_script_prefix(client):
    """The listing URLs carry the script prefix of the request that renders the list (a site
    served under a path), and a later request without one does not inherit it."""
    InstrumentFactory(code="PREFIX-1")
    TechnologyFactory(code="PREFIX-2")
    for prefix in ("", "/mirror", ""):
        for path, code, page in (
            ("/api/v1/instruments/", "PREFIX-1", "/instruments/PREFIX-1/"),
            ("/api/v1/technologies/", "PREFIX-2", "/technologies/PREFIX-2/"),
        ):
            # As WSGIHandler sets it from SCRIPT_NAME (the test client does not).
            with override_script_prefix(prefix + "/"):
                body = client.get(path).json()
            assert [(item["code"], item["url"]) for item in body["results"]] == [
                (code, prefix + page)
            ]
