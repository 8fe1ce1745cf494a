"""Deep pages of the catalogue lists are sought from the kept code of every ANCHOR_STEP-th
listing instead of counted off from the first: the same listings as counting off, and a
listing added, unpublished or moved to another region shifts them at once."""

import pytest

from marketplace.catalogue import paging
from tests.factories import InstitutionFactory, InstrumentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_steps(settings, monkeypatch):
    settings.CATALOGUE_COUNT_CACHE = True
    monkeypatch.setattr(paging, "DEFERRED_FROM", 4)
    monkeypatch.setattr(paging, "ANCHOR_STEP", 3)


def page(client, path="/api/v1/instruments/", **query) -> list[str]:
    body = client.get(path, {"page_size": 2, **query}).json()
    return [item["code"] for item in body["results"]]


def test_every_deep_page_is_the_slice_of_the_ordered_list(client, commit):
    kunming = InstitutionFactory(region="530100")
    dali = InstitutionFactory(region="532900")
    commit(
        lambda: [
            InstrumentFactory(code=f"I-{n:02d}", institution=kunming if n % 3 else dali)
            for n in range(23)
        ]
    )
    everything = [f"I-{n:02d}" for n in range(23)]
    in_kunming = [code for n, code in enumerate(everything) if n % 3]
    for _ in range(2):  # the codes read, then kept
        for number in range(1, 13):
            assert page(client, page=number) == everything[(number - 1) * 2 : number * 2]
        for number in range(1, 9):
            expected = in_kunming[(number - 1) * 2 : number * 2]
            assert page(client, page=number, region="530100") == expected


def test_a_new_or_unpublished_listing_shifts_the_deep_pages_at_once(client, commit):
    institution = InstitutionFactory()
    made = commit(
        lambda: [
            InstrumentFactory(code=f"I-{n:02d}", institution=institution) for n in range(1, 21)
        ]
    )
    assert page(client, page=5) == ["I-09", "I-10"]

    commit(lambda: InstrumentFactory(code="I-00", institution=institution))
    assert page(client, page=5) == ["I-08", "I-09"]

    commit(made[0].unpublish)
    commit(made[1].unpublish)
    assert page(client, page=5) == ["I-10", "I-11"]


def test_the_list_page_shows_the_same_deep_page_as_the_api(client, commit):
    institution = InstitutionFactory()
    commit(
        lambda: [InstrumentFactory(code=f"I-{n:02d}", institution=institution) for n in range(70)]
    )
    # The page shows 20 a page: page 3 is I-40 … I-59, sought from the kept codes.
    html = client.get("/instruments/", {"page": 3}).content.decode()
    assert "I-40" in html and "I-59" in html
    assert "I-39" not in html and "I-60" not in html


def test_a_kept_deep_page_is_one_statement_after_the_kept_total(
    client, commit, django_assert_num_queries
):
    from django.db import connection

    kunming = InstitutionFactory(region="530100")
    commit(lambda: [InstrumentFactory(code=f"I-{n:02d}", institution=kunming) for n in range(23)])
    page(client, page=7, region="530100")  # the total, the region's ids and codes kept
    # The kept entry; the page's ids sought from a kept code and its rows: on PostgreSQL the
    # ids inside the rows' statement, elsewhere read first.
    with django_assert_num_queries(2 if connection.vendor == "postgresql" else 3):
        assert page(client, page=7, region="530100") == ["I-12", "I-13"]
