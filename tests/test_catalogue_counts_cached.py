"""The catalogue lists' totals are counted once per catalogue change and reused until the next:
a new, unpublished, deleted or imported listing shows in `count` at once, and an unchanged
catalogue is not counted again."""

import json
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.catalogue.importer import import_catalogue
from tests.factories import InstitutionFactory, InstrumentFactory

pytestmark = pytest.mark.django_db

DEMO = Path(django_settings.BASE_DIR) / "data" / "demo-catalogue.json"


@pytest.fixture(autouse=True)
def _count_cache_on(settings):
    settings.CATALOGUE_COUNT_CACHE = True


def count(client, path="/api/v1/instruments/") -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        body = client.get(path).json()
    counted = [q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    return body["count"], counted


def test_an_unchanged_catalogue_is_counted_once(client, commit):
    institution = InstitutionFactory(region="530100")
    commit(lambda: InstrumentFactory.create_batch(3, institution=institution))
    assert count(client)[0] == 3
    total, counted = count(client)
    assert total == 3 and counted == []
    # Each filter has its own total.
    assert count(client, "/api/v1/instruments/?region=530100")[0] == 3
    assert count(client, "/api/v1/instruments/?region=530300")[0] == 0
    assert count(client, "/api/v1/instruments/?region=530100")[1] == []


def test_a_new_unpublished_or_deleted_listing_changes_the_count_at_once(client, commit):
    first = commit(lambda: InstrumentFactory())
    assert count(client)[0] == 1
    second = commit(lambda: InstrumentFactory())
    assert count(client)[0] == 2
    commit(second.unpublish)
    assert count(client)[0] == 1
    commit(first.delete)
    assert count(client)[0] == 0


def test_an_import_changes_the_count_at_once(client, commit):
    assert count(client)[0] == 0
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    commit(lambda: import_catalogue(demo))
    published = sum(1 for record in demo["instruments"] if record.get("published"))
    assert count(client)[0] == published
    assert count(client)[1] == []
