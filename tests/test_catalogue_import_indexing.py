"""The import makes its listings searchable in bulk (issue 17): every document is built once,
the embedded index answers at once, and what Elasticsearch cannot take waits in the outbox."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings

from marketplace.catalogue.importer import import_catalogue
from marketplace.catalogue.models import Incubator, Instrument, Technology
from search import documents
from search.models import IndexOperation, SearchDocument
from tests.test_catalogue_import import DEMO

pytestmark = pytest.mark.django_db(transaction=True)
DEAD_URL = "http://127.0.0.1:9"  # discard port: connection refused at once


def published() -> int:
    return sum(m.objects.filter(live=True).count() for m in (Instrument, Incubator, Technology))


def test_each_imported_document_is_built_once_and_nothing_waits(client, monkeypatch):
    built = []
    original = documents.instrument_document
    monkeypatch.setattr(
        documents, "instrument_document", lambda item: built.append(item.pk) or original(item)
    )
    report = import_catalogue(json.loads(DEMO.read_text(encoding="utf-8")))
    assert report.ok
    live_instruments = Instrument.objects.filter(live=True).count()
    assert live_instruments >= 3
    assert sorted(built) == sorted(
        Instrument.objects.filter(live=True).values_list("pk", flat=True)
    )
    assert (
        SearchDocument.objects.filter(kind__in=["instrument", "incubator", "technology"]).count()
        == published()
    )
    assert not IndexOperation.objects.exists()
    body = client.get("/api/v1/search/", {"q": "电镜", "kind": "instrument"}).json()
    assert "CCBT-CRYO-01" in [result["code"] for result in body["results"]]


def test_with_elasticsearch_down_the_import_succeeds_and_the_outbox_keeps_every_listing(client):
    with override_settings(SEARCH_ENGINE="elasticsearch", ELASTICSEARCH_URL=DEAD_URL):
        report = import_catalogue(json.loads(DEMO.read_text(encoding="utf-8")))
        assert report.ok
        # the embedded index is complete, so the fallback finds the new listings now
        body = client.get("/api/v1/search/", {"q": "电镜", "kind": "instrument"}).json()
        assert "CCBT-CRYO-01" in [result["code"] for result in body["results"]]
    written = sum(report.created.values()) - report.created["institutions"]
    assert (
        written
        == Instrument.objects.count() + Incubator.objects.count() + Technology.objects.count()
    )
    # every listing written is waiting for Elasticsearch, once
    keys = list(IndexOperation.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys)) == written


def _rows(keys) -> dict[str, dict]:
    skip = {"id", "stamp", "indexed_at"}
    return {
        row["key"]: {name: value for name, value in row.items() if name not in skip}
        for row in SearchDocument.objects.filter(key__in=keys).values()
    }


def test_new_listings_are_indexed_as_if_read_back_from_the_database():
    """The import builds a new listing's document from the values it wrote (not re-reading
    it): the index rows must be exactly those a rebuild from the database gives, including
    amounts written without their cents, which the database gives back with them."""
    data = json.loads(DEMO.read_text(encoding="utf-8"))
    instrument = next(r for r in data["instruments"] if r.get("published") and r.get("pricing"))
    instrument["pricing"]["hourly"] = "450"
    instrument.setdefault("service_modes", ["machine_time"])
    technology = next(r for r in data["technologies"] if r.get("published"))
    technology["asking_price"] = "12.5"
    hidden = next(r for r in data["incubators"] if r.get("published"))
    hidden["published"] = False
    report = import_catalogue(data)
    assert report.ok
    keys = [key for key in SearchDocument.objects.values_list("key", flat=True) if ":" in key] + [
        f"incubator:{Incubator.objects.get(code=hidden['code']).pk}"
    ]
    written = _rows(keys)
    assert f"incubator:{Incubator.objects.get(code=hidden['code']).pk}" not in written
    assert len(written) == published()
    row = written[f"instrument:{Instrument.objects.get(code=instrument['code']).pk}"]
    assert row["details"]["price_hourly"] == "450.00"

    # what the index holds when every document is read back from the database
    from search.engines import database_engine

    database_engine().apply(documents.load(written))
    assert _rows(keys) == written
