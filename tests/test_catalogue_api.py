"""Public catalogue API: published only, filters combine, unknown values are 400, counts pinned."""

import csv
import io
from decimal import Decimal

import pytest

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
    kunming = InstitutionFactory(code="KM", region="530100", name="昆明理工研究院")
    dali = InstitutionFactory(code="DL", region="532900", name="大理生物研究所")
    items = {
        "sem_km": InstrumentFactory(
            code="KM.SEM-1", institution=kunming, name="扫描电子显微镜", category="analytical"
        ),
        "nmr_km": InstrumentFactory(
            code="KM-NMR",
            institution=kunming,
            name="核磁共振波谱仪",
            category="analytical",
            offers_machine_time=False,
            offers_sample_testing=True,
        ),
        "laser_dl": InstrumentFactory(
            code="DL-LAS", institution=dali, name="飞秒激光器", category="laser"
        ),
        "draft": InstrumentFactory(
            code="KM-DRAFT", institution=kunming, name="未发布仪器", live=False
        ),
    }
    return kunming, dali, items


def codes(response):
    return [item["code"] for item in response.json()["results"]]


def test_list_shows_only_published_listings(client, catalogue):
    response = client.get("/api/v1/instruments/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert "KM-DRAFT" not in codes(response)
    assert set(body) == {"count", "next", "previous", "results"}


def test_a_draft_is_404_in_the_api_and_on_the_page(client, catalogue):
    assert client.get("/api/v1/instruments/KM-DRAFT/").status_code == 404
    assert client.get("/instruments/KM-DRAFT/").status_code == 404


def test_codes_with_dots_work_in_urls(client, catalogue):
    response = client.get("/api/v1/instruments/KM.SEM-1/")
    assert response.status_code == 200
    assert response.json()["name"] == "扫描电子显微镜"
    assert client.get("/instruments/KM.SEM-1/").status_code == 200


def test_filters_combine_with_and(client, catalogue):
    assert codes(client.get("/api/v1/instruments/", {"region": "530100"})) == ["KM-NMR", "KM.SEM-1"]
    assert codes(
        client.get("/api/v1/instruments/", {"region": "530100", "service_mode": "machine_time"})
    ) == ["KM.SEM-1"]
    assert (
        codes(client.get("/api/v1/instruments/", {"category": "laser", "region": "530100"})) == []
    )
    assert codes(
        client.get("/api/v1/instruments/", {"institution": "DL", "category": "laser"})
    ) == ["DL-LAS"]
    assert codes(client.get("/api/v1/instruments/", {"q": "核磁"})) == ["KM-NMR"]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/instruments/", {"region": "110100"}, "region"),
        ("/api/v1/instruments/", {"category": "magic"}, "category"),
        ("/api/v1/instruments/", {"service_mode": "teleport"}, "service_mode"),
        ("/api/v1/incubators/", {"level": "galactic"}, "level"),
        ("/api/v1/incubators/", {"type": "garage"}, "type"),
        ("/api/v1/technologies/", {"ip_type": "magic"}, "ip_type"),
        ("/api/v1/technologies/", {"transfer_mode": "gift"}, "transfer_mode"),
        ("/api/v1/technologies/", {"trl_min": "ten"}, "trl_min"),
        ("/api/v1/technologies/", {"trl_min": "12"}, "trl_min"),
        ("/api/v1/instruments/", {"q": "长" * 101}, "q"),
    ],
)
def test_unknown_filter_values_are_400_not_500(client, path, params, field):
    response = client.get(path, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_page_size_above_100_is_capped(client):
    institution = InstitutionFactory()
    for _ in range(105):
        TechnologyFactory(institution=institution)
    response = client.get("/api/v1/technologies/", {"page_size": 500})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 100
    assert response.json()["count"] == 105


@pytest.mark.parametrize("kept", [True, False], ids=["count-cache-on", "count-cache-off"])
def test_a_trl_range_keeps_both_bounds_and_leaves_unrated_technologies_out(client, settings, kept):
    settings.CATALOGUE_COUNT_CACHE = kept
    institution = InstitutionFactory()
    for code, trl in (("T1", 1), ("T3", 3), ("T5", 5), ("T6", 6), ("T9", 9), ("TX", None)):
        TechnologyFactory(code=code, institution=institution, trl=trl)

    def listed(**query):
        response = client.get("/api/v1/technologies/", query)
        assert response.json()["count"] == len(response.json()["results"])
        return codes(response)

    assert listed(trl_min=3, trl_max=6) == ["T3", "T5", "T6"]
    assert listed(trl_max=3) == ["T1", "T3"]
    assert listed(trl_min=9) == ["T9"]
    assert listed(trl_min=6, trl_max=4) == []
    page = client.get("/technologies/", {"trl_min": 6, "trl_max": 4})
    assert page.status_code == 200
    assert "T6" not in page.content.decode()


def test_instrument_detail_carries_prices_as_decimal_strings_and_booking_rules(client, catalogue):
    OpeningIntervalFactory(instrument=catalogue[2]["sem_km"], weekday=2)
    body = client.get("/api/v1/instruments/KM.SEM-1/").json()
    assert body["pricing"]["hourly"] == {"amount": "450.00", "currency": "CNY"}
    assert body["pricing"]["internal_per_sample"] is None
    assert body["original_value"] == {"amount": "3280000.00", "currency": "CNY"}
    assert body["booking"]["opening_hours"] == [{"weekday": 2, "start": "08:30", "end": "17:30"}]
    assert body["institution"] == {"code": "KM", "name": "昆明理工研究院"}
    assert body["region"] == "530100"


def test_technology_filters_and_negotiable_price(client):
    institution = InstitutionFactory()
    TechnologyFactory(code="T-LOW", institution=institution, trl=3, ip_type="utility_model")
    TechnologyFactory(
        code="T-HIGH", institution=institution, trl=8, asking_price=Decimal("1200000.00")
    )
    TechnologyFactory(
        code="T-EQUITY", institution=institution, trl=7, mode_license=False, mode_equity=True
    )
    assert codes(client.get("/api/v1/technologies/", {"trl_min": 7})) == ["T-EQUITY", "T-HIGH"]
    assert codes(client.get("/api/v1/technologies/", {"transfer_mode": "equity"})) == ["T-EQUITY"]
    assert codes(client.get("/api/v1/technologies/", {"ip_type": "utility_model"})) == ["T-LOW"]
    detail = client.get("/api/v1/technologies/T-LOW/").json()
    assert detail["asking_price"] is None
    assert detail["transfer_modes"] == ["license"]


def test_incubator_filters_including_vacancies(client):
    IncubatorFactory(code="I-FULL", workstations_vacant=0, level="national")
    IncubatorFactory(code="I-FREE", workstations_vacant=5, level="national", region="532500")
    assert codes(client.get("/api/v1/incubators/", {"vacant": "1"})) == ["I-FREE"]
    assert codes(client.get("/api/v1/incubators/", {"region": "532500", "level": "national"})) == [
        "I-FREE"
    ]


def test_csv_export_is_utf8_with_bom_and_follows_the_filters(client, catalogue):
    response = client.get("/api/v1/instruments/export/", {"region": "530100"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][0] == "编码 code"
    assert sorted(row[0] for row in rows[1:]) == ["KM-NMR", "KM.SEM-1"]
    assert "核磁共振波谱仪" in {row[1] for row in rows[1:]}


def test_csv_export_refuses_unknown_filters_too(client):
    assert client.get("/api/v1/instruments/export/", {"region": "nowhere"}).status_code == 400


def test_institutions_are_listed_and_looked_up_by_code(client, catalogue):
    assert [i["code"] for i in client.get("/api/v1/institutions/").json()["results"]] == [
        "DL",
        "KM",
    ]
    assert client.get("/api/v1/institutions/KM/").json()["region_name"] == "昆明市"
    assert client.get("/api/v1/institutions/NOPE/").status_code == 404


@pytest.mark.parametrize(
    ("path", "factory", "queries"),
    [
        ("/api/v1/instruments/", InstrumentFactory, 2),
        ("/api/v1/incubators/", IncubatorFactory, 2),
        ("/api/v1/technologies/", TechnologyFactory, 2),
        ("/api/v1/institutions/", InstitutionFactory, 2),
    ],
)
def test_list_query_count_does_not_grow_with_rows(
    client, path, factory, queries, django_assert_num_queries
):
    for _ in range(30):
        factory()
    # count, then one page with its institutions joined
    with django_assert_num_queries(queries):
        response = client.get(path)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 20


def test_detail_query_counts_are_pinned(client, django_assert_num_queries):
    instrument = InstrumentFactory()
    for weekday in range(5):
        OpeningIntervalFactory(instrument=instrument, weekday=weekday)
    incubator = IncubatorFactory()
    technology = TechnologyFactory()
    # the instrument with its institution; its opening hours and refund tiers in one UNION
    with django_assert_num_queries(2):
        assert client.get(f"/api/v1/instruments/{instrument.code}/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/incubators/{incubator.code}/").status_code == 200
    with django_assert_num_queries(1):
        assert client.get(f"/api/v1/technologies/{technology.code}/").status_code == 200


def test_the_schema_documents_every_catalogue_operation(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    for path in [
        "/api/v1/institutions/",
        "/api/v1/institutions/{code}/",
        "/api/v1/instruments/",
        "/api/v1/instruments/{code}/",
        "/api/v1/instruments/{code}/availability/",
        "/api/v1/instruments/export/",
        "/api/v1/incubators/{code}/",
        "/api/v1/technologies/{code}/",
    ]:
        assert path in paths, path


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_detail_shows_the_booking_rules_as_their_serializer_shows_them(client, language):
    """The detail's `booking` is built from one statement, not BookingRulesSerializer: the
    same body, with the opening hours by weekday and start and the tiers longest first
    whatever order they were written in, and the platform's quotas where it has none."""
    import datetime as dt
    import json

    from django.db.models import Prefetch
    from django.utils import translation

    from marketplace.catalogue.api import BookingRulesSerializer
    from marketplace.catalogue.models import Instrument, OpeningInterval, RefundTier

    shown = InstrumentFactory(max_active_bookings=3, max_hours_per_week=None)
    for weekday, start, end in [
        (4, "14:00", "17:30"),
        (0, "14:00", "18:15"),
        (4, "08:05", "12:00"),
    ]:
        OpeningIntervalFactory(
            instrument=shown,
            weekday=weekday,
            start=dt.time.fromisoformat(start),
            end=dt.time.fromisoformat(end),
        )
    for hours, percent in [(0, 0), (168, 100), (24, 50)]:
        RefundTier.objects.create(instrument=shown, hours_before=hours, refund_percent=percent)
    bare = InstrumentFactory(approval_required=False, training_required=True)
    for instrument in (shown, bare):
        body = client.get(
            f"/api/v1/instruments/{instrument.code}/", HTTP_ACCEPT_LANGUAGE=language
        ).json()
        read = Instrument.objects.prefetch_related(
            Prefetch("opening_hours", OpeningInterval.objects.order_by("weekday", "start")),
            Prefetch("refund_tiers", RefundTier.objects.order_by("-hours_before")),
        ).get(pk=instrument.pk)
        with translation.override(language):
            expected = json.loads(json.dumps(BookingRulesSerializer(read).data))
        assert body["booking"] == expected
        assert list(body["booking"]) == list(expected)
    assert [(i["weekday"], i["start"]) for i in body["booking"]["opening_hours"]] == []
    shown_body = client.get(f"/api/v1/instruments/{shown.code}/").json()["booking"]
    assert [(i["weekday"], i["start"], i["end"]) for i in shown_body["opening_hours"]] == [
        (0, "14:00", "18:15"),
        (4, "08:05", "12:00"),
        (4, "14:00", "17:30"),
    ]
    assert [t["hours_before"] for t in shown_body["refund_policy"]] == [168, 24, 0]
    assert shown_body["max_active_bookings"] == 3
