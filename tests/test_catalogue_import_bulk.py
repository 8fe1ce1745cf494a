"""A large import's bulk path (issue 17): rows as plain values (COPY on PostgreSQL), and on
SQLite the full-text index filled in one statement with its insert trigger away for the bulk.
The demo file is too small to take that path; a generated catalogue of a few hundred is not."""

from __future__ import annotations

import copy
import os

import pytest
from django.db import connection

from marketplace.accounts.models import Institution
from marketplace.catalogue import importer
from marketplace.catalogue.generator import generate_catalogue
from marketplace.catalogue.importer import import_catalogue
from marketplace.catalogue.models import Incubator, Instrument, OpeningInterval, Technology
from search import documents
from search.backends.database import FTS_BULK_FROM
from search.engines import database_engine
from search.models import IndexOperation, SearchDocument

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def catalogue():
    return generate_catalogue(instruments=150, incubators=60, technologies=150, seed=20260101)


def search_codes(client, q: str, kind: str) -> list[str]:
    body = client.get("/api/v1/search/", {"q": q, "kind": kind}).json()
    return [result["code"] for result in body["results"]]


def test_a_large_import_is_searchable_and_complete(client, catalogue):
    report = import_catalogue(copy.deepcopy(catalogue))
    assert report.ok
    published = [
        (kind, r)
        for kind in ("instruments", "incubators", "technologies")
        for r in catalogue[kind]
        if r.get("published")
    ]
    assert len(published) >= FTS_BULK_FROM  # the bulk path, not the per-row trigger
    live = sum(m.objects.filter(live=True).count() for m in (Instrument, Incubator, Technology))
    assert live == len(published)
    assert (
        SearchDocument.objects.filter(kind__in=["instrument", "incubator", "technology"]).count()
        == live
    )
    # every opening interval of the file is there, on its instrument
    intervals = sum(
        len((r.get("booking") or {}).get("opening_hours", [])) for r in catalogue["instruments"]
    )
    assert OpeningInterval.objects.count() == intervals
    # found by full-text search, by name and by code
    instrument = next(r for kind, r in published if kind == "instruments")
    assert instrument["code"] in search_codes(client, instrument["name"], "instrument")
    assert instrument["code"] in search_codes(client, instrument["code"], "instrument")
    technology = next(r for kind, r in published if kind == "technologies")
    assert technology["code"] in search_codes(client, technology["title"], "technology")
    drafts = {r["code"] for r in catalogue["instruments"] if not r.get("published")}
    assert drafts
    assert not drafts & set(search_codes(client, instrument["name"], "instrument"))


def test_after_a_large_import_a_single_change_is_searchable(client, catalogue):
    """The full-text index keeps following single changes: on SQLite the insert trigger the
    bulk path dropped is back."""
    import_catalogue(copy.deepcopy(catalogue))
    changed = copy.deepcopy(catalogue)
    record = next(r for r in changed["instruments"] if r.get("published"))
    record["name"] = "量子隧穿显微分析仪"
    report = import_catalogue(changed)
    assert report.ok and report.updated["instruments"] == 1
    assert record["code"] in search_codes(client, "量子隧穿", "instrument")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'site_search_fts_ai'"
            )
            assert cursor.fetchone()[0] == 1


def _index_rows() -> dict[str, dict]:
    skip = {"id", "stamp", "indexed_at"}
    return {
        row["key"]: {name: value for name, value in row.items() if name not in skip}
        for row in SearchDocument.objects.exclude(key__startswith="page:").values()
    }


def _built_in(path):
    """A wrapper of documents.instrument_document noting each building process's id in a
    file (the second process's memory is not this one's)."""
    original = documents.instrument_document

    def build(item):
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        return original(item)

    return build


def test_a_large_import_builds_its_index_rows_in_a_second_process(
    client, catalogue, monkeypatch, tmp_path
):
    """From PARALLEL_FROM listings the index rows are built by a forked process while the
    rows are written: the same rows a read-back from the database gives, all searchable."""
    monkeypatch.setattr(importer, "PARALLEL_FROM", 100)
    monkeypatch.setattr(documents, "instrument_document", _built_in(tmp_path / "pids"))
    report = import_catalogue(copy.deepcopy(catalogue))
    assert report.ok
    pids = (tmp_path / "pids").read_text().split()
    live = Instrument.objects.filter(live=True).count()
    assert len(pids) == live
    assert str(os.getpid()) not in pids
    written = _index_rows()
    assert len(written) == sum(
        m.objects.filter(live=True).count() for m in (Instrument, Incubator, Technology)
    )
    assert not IndexOperation.objects.exists()
    monkeypatch.undo()
    database_engine().apply(documents.load(written))
    assert _index_rows() == written
    instrument = next(r for r in catalogue["instruments"] if r.get("published"))
    assert instrument["code"] in search_codes(client, instrument["name"], "instrument")


def test_a_lost_builder_process_costs_no_document(client, catalogue, monkeypatch):
    """If the second process dies, this one builds the rows itself: every listing is still
    searchable, nothing waits in the outbox."""
    monkeypatch.setattr(importer, "PARALLEL_FROM", 100)
    parent = os.getpid()
    original = documents.technology_document

    def dies_in_the_builder(item):
        if os.getpid() != parent:
            os._exit(1)
        return original(item)

    monkeypatch.setattr(documents, "technology_document", dies_in_the_builder)
    report = import_catalogue(copy.deepcopy(catalogue))
    assert report.ok
    live = sum(m.objects.filter(live=True).count() for m in (Instrument, Incubator, Technology))
    assert len(_index_rows()) == live
    assert not IndexOperation.objects.exists()
    technology = next(r for r in catalogue["technologies"] if r.get("published"))
    assert technology["code"] in search_codes(client, technology["title"], "technology")


def test_an_import_failing_while_its_rows_are_built_elsewhere_writes_nothing(
    catalogue, monkeypatch
):
    monkeypatch.setattr(importer, "PARALLEL_FROM", 100)

    def fails(created, updated):
        raise RuntimeError("disk full")

    # the instruments are written and their rows being built when the incubators fail
    monkeypatch.setattr(importer, "_write_capacities", fails)
    with pytest.raises(RuntimeError, match="disk full"):
        import_catalogue(copy.deepcopy(catalogue))
    assert not Instrument.objects.exists()
    assert not Institution.objects.exists()
    assert not SearchDocument.objects.exclude(key__startswith="page:").exists()
    assert not IndexOperation.objects.exists()


def _indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('site_search_searchdocument', 'site_search_vectors') ORDER BY 1"
        )
        return cursor.fetchall()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's index build")
def test_filling_an_empty_index_builds_the_postgresql_indexes_after_the_rows(
    client, catalogue, monkeypatch
):
    """Into an empty index, from FILL_FROM documents, the secondary indexes are dropped and
    built again after the rows, in the same transaction: the same indexes afterwards, the
    same rows, every listing found through them."""
    from search import indexing

    before = _indexes()
    assert any("gin" in definition for _name, definition in before)
    monkeypatch.setattr(importer, "PARALLEL_FROM", 100)
    monkeypatch.setattr(indexing, "FILL_FROM", 100)
    assert not SearchDocument.objects.exists()
    report = import_catalogue(copy.deepcopy(catalogue))
    assert report.ok
    assert _indexes() == before
    written = _index_rows()
    live = sum(m.objects.filter(live=True).count() for m in (Instrument, Incubator, Technology))
    assert len(written) == live
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM site_search_vectors")
        assert cursor.fetchone()[0] == live
    for record in [r for r in catalogue["instruments"] if r.get("published")][:5]:
        assert record["code"] in search_codes(client, record["name"], "instrument")
        assert record["code"] in search_codes(client, record["code"], "instrument")
    technology = next(r for r in catalogue["technologies"] if r.get("published"))
    assert technology["code"] in search_codes(client, technology["title"], "technology")


def test_an_import_leaves_the_cycle_collector_as_it_found_it(tmp_path, catalogue, monkeypatch):
    """The collector is off while a file is read and imported, and on again afterwards — also
    after a failed write — and a caller that had it off keeps it off."""
    import gc
    import json

    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    seen = []
    monkeypatch.setattr(
        importer, "_write_institutions", lambda *args: seen.append(gc.isenabled()) or 1 / 0
    )
    with pytest.raises(ZeroDivisionError):
        import_catalogue(importer.read_catalogue_file(path))
    assert seen == [False]
    assert gc.isenabled()
    gc.disable()
    try:
        with pytest.raises(ZeroDivisionError):
            import_catalogue(copy.deepcopy(catalogue))
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert not Instrument.objects.exists()


@pytest.mark.parametrize("price", ["NaN", "Infinity"])
def test_a_decimal_that_is_not_finite_is_refused_as_save_would(price):
    """insert_values passes a finite Decimal as it is; any other goes through the field,
    which refuses it, and nothing is written."""
    from decimal import Decimal

    from django.core.exceptions import ValidationError

    from search.bulk import insert_values

    with pytest.raises(ValidationError):
        insert_values(SearchDocument, [{"key": "x:1", "kind": "x", "price": Decimal(price)}])
    assert not SearchDocument.objects.filter(key="x:1").exists()
