"""A list searched with `q` shows the same page whichever way it is read: walked in code order
when the kept total says the term is common (PostgreSQL: paging.StoredList.searched_page_ids),
or through the filter as before when it is rare or its matches come late; and a listing added,
renamed or unpublished shows in the next answer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.catalogue import paging
from tests.factories import InstitutionFactory, InstrumentFactory

pytestmark = pytest.mark.django_db

TERM = "显微镜"
API = "/api/v1/instruments/"


@pytest.fixture(autouse=True)
def _walk_small_lists(settings, monkeypatch):
    """The count store on, and a window no wider than the matches' share says (no margin, no
    slack), so that a list of 30 is walked as one of 38,000 is."""
    settings.CATALOGUE_COUNT_CACHE = True
    monkeypatch.setattr(paging, "WALK_MARGIN", 1)
    monkeypatch.setattr(paging, "WALK_SLACK", 0)


def instruments(matching: callable, n: int = 30) -> list:
    institution = InstitutionFactory()
    return [
        InstrumentFactory(
            code=f"INS-{i:04d}",
            institution=institution,
            name=f"场发射扫描电子显微镜 {i}" if matching(i) else f"高速离心机 {i}",
            description="",
        )
        for i in range(n)
    ]


def page(client, number: int, size: int = 5) -> tuple[int, list[str], list[str]]:
    """(count, codes of the page, SQL run) of the API's searched list."""
    with CaptureQueriesContext(connection) as queries:
        body = client.get(API, {"q": TERM, "page": number, "page_size": size}).json()
    return (
        body["count"],
        [row["url"].rstrip("/").rsplit("/", 1)[1] for row in body["results"]],
        [q["sql"] for q in queries.captured_queries],
    )


def codes(numbers) -> list[str]:
    return [f"INS-{i:04d}" for i in numbers]


def test_every_page_of_a_common_term_is_the_matches_in_code_order(client, commit):
    commit(lambda: instruments(lambda i: i % 3 != 0))
    matches = codes(i for i in range(30) if i % 3 != 0)
    for number in (1, 2, 3, 4):  # cold and kept totals; walked windows and read as before
        for _again in range(2):
            total, shown, _sql = page(client, number)
            assert total == 20
            assert shown == matches[(number - 1) * 5 : number * 5]


def test_matches_that_come_late_in_code_order_are_still_found(client, commit):
    # 20 of 30 match, all after the first 10: the window the share says (8 rows) holds none.
    commit(lambda: instruments(lambda i: i >= 10))
    for _again in range(2):
        total, shown, _sql = page(client, 1)
        assert (total, shown) == (20, codes(range(10, 15)))


def test_the_list_page_shows_the_same_matches(client, commit):
    commit(lambda: instruments(lambda i: i % 3 != 0))
    client.get(API, {"q": TERM})  # the total kept by the API's request
    html = client.get("/instruments/", {"q": TERM}).content.decode()
    matches = codes(i for i in range(30) if i % 3 != 0)
    positions = [html.index(code) for code in matches]
    assert positions == sorted(positions)
    assert all(code not in html for code in codes(range(0, 30, 3)))


def test_a_listing_added_renamed_or_unpublished_shows_in_the_next_answer(client, commit):
    listed = commit(lambda: instruments(lambda i: i % 3 != 0))
    assert page(client, 1)[:2] == (20, codes([1, 2, 4, 5, 7]))
    assert page(client, 1)[:2] == (20, codes([1, 2, 4, 5, 7]))  # from the kept total

    # Added before the first match in code order.
    commit(
        lambda: InstrumentFactory(
            code="INS-0000A", institution=listed[0].institution, name="透射电子显微镜"
        )
    )
    assert page(client, 1)[:2] == (21, ["INS-0000A", *codes([1, 2, 4, 5])])

    # Renamed so that it no longer matches.
    def rename():
        listed[1].name = "高速离心机 1"
        listed[1].save()

    commit(rename)
    assert page(client, 1)[:2] == (20, ["INS-0000A", *codes([2, 4, 5, 7])])

    # Renamed so that it matches.
    def rename_back():
        listed[3].name = "体视显微镜 3"
        listed[3].save()

    commit(rename_back)
    assert page(client, 1)[:2] == (21, ["INS-0000A", *codes([2, 3, 4, 5])])

    commit(listed[2].unpublish)
    assert page(client, 1)[:2] == (20, ["INS-0000A", *codes([3, 4, 5, 7])])


@pytest.mark.postgres
def test_a_common_terms_page_is_walked_in_code_order_once_its_total_is_kept(client, commit):
    commit(lambda: instruments(lambda i: i % 3 != 0))
    page(client, 1)
    _total, shown, sql = page(client, 1)
    assert shown == codes([1, 2, 4, 5, 7])
    # One read of the kept total, then the page's rows by the ids the walk finds inside the
    # same statement (the condition as a column, no filter on it): nothing counted.
    assert len(sql) == 2
    assert "search_hit" in sql[1] and "COUNT(" not in " ".join(sql)
    assert "WHERE search_hit" in sql[1]
    # 显微镜 has no character with a case: each row is tested with LIKE on the columns
    # themselves, not on their UPPER() (filters.search_hit_condition).
    assert "LIKE" in sql[1] and "UPPER(" not in sql[1]


@pytest.mark.postgres
def test_a_rare_term_is_read_through_its_filter(client, commit):
    commit(lambda: instruments(lambda i: i in (4, 20)))
    page(client, 1)
    total, shown, sql = page(client, 1)
    assert (total, shown) == (2, codes([4, 20]))
    assert not any("search_hit" in q for q in sql)


@pytest.mark.postgres
def test_a_term_with_case_is_walked_case_insensitively(client, commit):
    spellings = ("Scanning SEM", "scanning sem", "SCANNING Sem")

    def listed():
        institution = InstitutionFactory()
        for i in range(30):
            name = f"{spellings[i % 3]} {i}" if i % 2 == 0 else f"高速离心机 {i}"
            InstrumentFactory(
                code=f"INS-{i:04d}", institution=institution, name=name, description=""
            )

    commit(listed)
    for term in ("sem", "SEM", "Sem"):
        walked = []
        for number in (1, 2, 3, 1):
            with CaptureQueriesContext(connection) as queries:
                body = client.get(API, {"q": term, "page": number, "page_size": 5}).json()
            assert body["count"] == 15
            shown = [row["url"].rstrip("/").rsplit("/", 1)[1] for row in body["results"]]
            assert shown == codes(range(0, 30, 2))[(number - 1) * 5 : number * 5]
            walked += [q["sql"] for q in queries.captured_queries if "search_hit" in q["sql"]]
        # Walked once the total is kept, testing each row with UPPER() as the filter does.
        assert walked and all("UPPER(" in sql for sql in walked)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("显微镜", True),
        ("绿色能源 2024", True),
        ("（创客）—空间", True),
        ("", True),
        ("SEM", False),
        ("x射线", False),
        ("Ⓐ", False),  # a symbol with a lower case (ⓐ)
        ("ß", False),
        ("Σ", False),
        ("ⅰ", False),  # a number with an upper case (Ⅰ)
    ],
)
def test_caseless_values(value, expected):
    from marketplace.catalogue.filters import caseless

    assert caseless(value) is expected
