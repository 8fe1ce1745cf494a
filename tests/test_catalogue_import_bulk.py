"""A large import's bulk path (issue 17): rows as plain values (COPY on PostgreSQL), and on
SQLite the full-text index filled in one statement with its insert trigger away for the bulk.
The demo file is too small to take that path; a generated catalogue of a few hundred is not."""

from __future__ import annotations

import copy

import pytest
from django.db import connection

from marketplace.catalogue.generator import generate_catalogue
from marketplace.catalogue.importer import import_catalogue
from marketplace.catalogue.models import Incubator, Instrument, OpeningInterval, Technology
from search.backends.database import FTS_BULK_FROM
from search.models import SearchDocument

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
