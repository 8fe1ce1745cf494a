"""The catalogue lists' pages read by id from a statement kept per process
(marketplace.statements.page_by_ids): the same rows as the ORM reads for them (`paging._rows_of`)
— the API's values, converted as the ORM converts them, and the HTML lists' instances with
their institution — in code order, published listings only, whether the ids come as a list, a
sliced query or the walk's SQL; one statement per page, its outer part compiled once."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from marketplace import statements
from marketplace.api import read_as_values, render_settings, values_plan
from marketplace.catalogue import api, paging
from marketplace.catalogue.models import Incubator, Instrument, Technology
from tests.factories import (
    IncubatorFactory,
    InstitutionFactory,
    InstrumentFactory,
    TechnologyFactory,
)

pytestmark = pytest.mark.django_db

KINDS = [
    (Instrument, api.InstrumentSerializer, InstrumentFactory),
    (Incubator, api.IncubatorSerializer, IncubatorFactory),
    (Technology, api.TechnologySerializer, TechnologyFactory),
]


def listings(factory) -> list[int]:
    """Seven listings of two institutions in scrambled code order, the fourth unpublished,
    one with its optional values empty: their ids."""
    first, second = InstitutionFactory(region="530100"), InstitutionFactory(region="532300")
    made = []
    for n in (5, 2, 6, 0, 3, 1, 4):
        extra = {}
        if factory is InstrumentFactory and n == 1:
            extra = {"price_hourly": None, "commissioned_on": None, "model_number": ""}
        if factory is InstrumentFactory and n == 6:
            extra = {"price_hourly": Decimal("123.45"), "original_value": Decimal("9876543.21")}
        made.append(factory(code=f"P-{n:02d}", institution=first if n % 2 else second, **extra).pk)
    factory._meta.model.objects.filter(code="P-00").update(live=False)
    return made


def value_rows(model, serializer):
    columns, _plan = values_plan(serializer, render_settings())
    queryset = model.objects.published().select_related("institution").order_by("code")
    return read_as_values(queryset, columns)


def ids_forms(rows, ids: list[int]):
    """The same ids as each form the paginator gives them in."""
    table = rows.model._meta.db_table
    placeholders = ", ".join(["%s"] * len(ids))
    return {
        "list": ids,
        "sliced query": rows.filter(pk__in=ids).values_list("pk", flat=True)[0:20],
        # (a model's table name and placeholders; the values are parameters)
        "walk SQL": RawSQL(  # noqa: S611
            f'SELECT "id" FROM "{table}" WHERE "id" IN ({placeholders})',  # noqa: S608
            ids,
        ),
    }


@pytest.mark.parametrize(("model", "serializer", "factory"), KINDS)
def test_a_page_by_id_is_what_the_orm_reads_for_it(model, serializer, factory):
    ids = listings(factory)
    rows = value_rows(model, serializer)
    for form, given in ids_forms(rows, ids).items():
        expected = list(paging._rows_of(rows, given))
        with CaptureQueriesContext(connection) as queries:
            found = paging._page_rows(rows, given)
        assert found == expected, form
        assert [type(value) for row in found for value in row] == [
            type(value) for row in expected for value in row
        ], form
        # Six published rows in code order, the unpublished one left out, one statement.
        assert [row[0] for row in found] == ["P-01", "P-02", "P-03", "P-04", "P-05", "P-06"]
        assert len(queries) == 1, form


def test_money_and_dates_come_back_as_the_orm_gives_them():
    listings(InstrumentFactory)
    rows = value_rows(Instrument, api.InstrumentSerializer)
    columns = rows._iterable_class.columns
    ids = list(Instrument.objects.values_list("pk", flat=True))
    by_code = {row[0]: dict(zip(columns, row, strict=True)) for row in paging._page_rows(rows, ids)}
    assert by_code["P-06"]["price_hourly"] == Decimal("123.45")
    assert isinstance(by_code["P-06"]["original_value"], Decimal)
    assert by_code["P-01"]["price_hourly"] is None
    assert by_code["P-01"]["commissioned_on"] is None
    assert by_code["P-03"]["commissioned_on"] == Instrument.objects.get(code="P-03").commissioned_on


def test_the_statement_around_the_ids_is_compiled_once(monkeypatch):
    ids = listings(InstrumentFactory)
    rows = value_rows(Instrument, api.InstrumentSerializer)
    compiled = []
    real = statements._page_statement
    monkeypatch.setattr(statements, "_PAGES", {})
    monkeypatch.setattr(
        statements, "_page_statement", lambda *key: compiled.append(key) or real(*key)
    )
    first = paging._page_rows(rows, ids[:3])
    second = paging._page_rows(rows, ids[3:])
    assert len(compiled) == 1
    assert [row[0] for row in first] == ["P-02", "P-05", "P-06"]
    assert [row[0] for row in second] == ["P-01", "P-03", "P-04"]


def test_the_html_lists_instances_are_the_orms_with_their_institution():
    from marketplace.catalogue.views import LIST_COLUMNS

    ids = listings(InstrumentFactory)
    instances = (
        Instrument.objects.published()
        .select_related("institution")
        .order_by("code")
        .only(*LIST_COLUMNS["instrument"])
    )
    expected = list(paging._rows_of(instances, ids))
    with CaptureQueriesContext(connection) as queries:
        found = paging._page_rows(instances, ids)
        shown = [
            (i.code, i.name, i.price_hourly, i.status, i.institution.name, i.institution.region)
            for i in found
        ]
    assert len(queries) == 1  # the institution came with each row
    assert shown == [
        (i.code, i.name, i.price_hourly, i.status, i.institution.name, i.institution.region)
        for i in expected
    ]
    assert [i.code for i in found] == ["P-01", "P-02", "P-03", "P-04", "P-05", "P-06"]
    # The same columns deferred as the ORM defers them, and rows from the database.
    assert [i.get_deferred_fields() for i in found] == [i.get_deferred_fields() for i in expected]
    assert all(not i._state.adding and i._state.db == "default" for i in found)


def test_empty_pages_read_nothing():
    listings(InstrumentFactory)
    rows = value_rows(Instrument, api.InstrumentSerializer)
    with CaptureQueriesContext(connection) as queries:
        assert paging._page_rows(rows, []) == []
    assert len(queries) == 0


@pytest.mark.parametrize("page_size", [2, 5])
def test_deep_api_pages_read_by_id_show_every_published_listing_once(
    client, monkeypatch, page_size
):
    monkeypatch.setattr(paging, "DEFERRED_FROM", 1)
    listings(InstrumentFactory)
    shown = []
    for number in (1, 2, 3, 4):
        response = client.get("/api/v1/instruments/", {"page": number, "page_size": page_size})
        if response.status_code == 404:
            break
        shown += [item["url"].rstrip("/").rsplit("/", 1)[1] for item in response.json()["results"]]
    assert shown == ["P-01", "P-02", "P-03", "P-04", "P-05", "P-06"]


def test_ids_that_match_nothing_make_an_empty_page():
    listings(InstrumentFactory)
    rows = value_rows(Instrument, api.InstrumentSerializer)
    nothing = rows.filter(institution_id__in=[]).values_list("pk", flat=True)[0:20]
    assert paging._page_rows(rows, nothing) == []


def test_a_model_without_publication_keeps_no_statement():
    from marketplace.accounts.models import Institution

    InstitutionFactory(code="NO-LIVE")
    columns, _plan = values_plan(api.InstitutionSerializer, render_settings())
    rows = read_as_values(Institution.objects.order_by("code"), columns)
    assert statements.page_by_ids(rows, lambda: ("%s", (1,))) is None
