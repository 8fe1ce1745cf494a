"""PostgreSQL's search vectors computed in Python (search.backends.pg_vectors) are the ones the
row trigger computes, and filling an empty index with them leaves the index as the trigger
would have: same vectors, the trigger on again, nothing written when the fill fails."""

from __future__ import annotations

import copy

import pytest
from django.db import connection, transaction

from marketplace.catalogue import importer
from marketplace.catalogue.generator import generate_catalogue
from marketplace.catalogue.importer import import_catalogue
from search import indexing
from search.backends import database
from search.backends.database import PG_VECTOR_EXPRESSIONS, PG_VECTORS, PG_VECTORS_KEY
from search.backends.pg_vectors import vectors
from search.engines import database_engine
from search.models import IndexOperation, SearchDocument

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's tsvector"),
]

LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
STREAMS = ("title_tokens", "body_tokens", "pinyin", "initials", "codes")


def _server_vectors(row: dict) -> tuple[str, str, str]:
    """What the trigger's expressions make of these streams, as text."""
    expressions = ", ".join(f"({PG_VECTOR_EXPRESSIONS[v]})::text" for v in PG_VECTORS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {expressions} FROM (SELECT "  # noqa: S608
            + ", ".join(f"%s::text AS {name}" for name in STREAMS)
            + ") AS d",
            [row.get(name) for name in STREAMS],
        )
        return cursor.fetchone()


def _row(**streams) -> dict:
    return {name: streams.get(name, "") for name in STREAMS}


# Streams at the parser's and the vector's limits: positions past 16,383, a lexeme at more
# than 255 positions, lexemes in several alias streams, spaces, empty and missing streams.
PLAIN = [
    _row(title_tokens="zqgfcfe zqgfcfezqhbcd 2024 model a", body_tokens="the cat the hat 7 7 7"),
    _row(title_tokens="  two   spaces  ", pinyin=None, initials=None, codes=None),
    # 700 words spelled in letters, each at 28 or 29 positions, past position 16,383
    _row(body_tokens=" ".join("q" + f"{i % 700:x}".translate(LETTERS) for i in range(20000))),
    _row(body_tokens=" ".join(["again"] * 300 + ["other"] * 3 + ["again"] * 5)),
    _row(body_tokens=" ".join(["x"] * 17000 + ["tail", "x", "tail"])),
    _row(
        pinyin="xian wei jing xian",
        initials="x w j xwj",
        codes="yn 001 zqzz yn 001 xian",
        title_tokens="xian",
    ),
    _row(pinyin=" ".join(["ab"] * 200), initials=" ".join(["ab"] * 100), codes="ab cd"),
    _row(pinyin=" ".join(["a"] * 10), initials=" ".join(["b"] * 16380), codes="a b c"),
]
# Streams the default parser would not take word by word: the server computes these rows.
NOT_PLAIN = [
    _row(title_tokens="79e3ee61"),
    _row(body_tokens="abc 1e5 def"),
    _row(codes="a-b"),
    _row(pinyin="Xian"),
    _row(initials="显微镜"),
    _row(title_tokens="it's"),
    _row(body_tokens="long " + "a" * 2047),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", PLAIN)
def test_vectors_from_plain_words_are_the_triggers_byte_for_byte(row):
    assert vectors(row) == _server_vectors(row)


@pytest.mark.django_db
@pytest.mark.parametrize("row", NOT_PLAIN)
def test_streams_the_parser_splits_otherwise_are_left_to_the_server(row):
    assert vectors(row) is None


def _trigger_enabled() -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'site_search_vectors_write'"
        )
        return cursor.fetchone()[0]


def _vectors_unlike_the_triggers() -> int:
    """Documents whose stored vectors differ from the trigger's expressions over their row
    (or have none)."""
    table = SearchDocument._meta.db_table
    differs = " OR ".join(
        f"v.{name} IS DISTINCT FROM ({PG_VECTOR_EXPRESSIONS[name]})" for name in PG_VECTORS
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM {table} d LEFT JOIN site_search_vectors v USING (id) "  # noqa: S608
            f"WHERE v.id IS NULL OR {differs}"
        )
        return cursor.fetchone()[0]


@pytest.fixture(scope="module")
def catalogue():
    return generate_catalogue(instruments=150, incubators=60, technologies=150, seed=20260101)


@pytest.mark.django_db(transaction=True)
def test_filling_an_empty_index_writes_the_vectors_the_trigger_would(catalogue, monkeypatch):
    """The import's second process builds the vectors; the server only reads them. Every
    document then has the trigger's vectors, and the trigger is on again for later writes."""
    monkeypatch.setattr(importer, "PARALLEL_FROM", 100)
    monkeypatch.setattr(indexing, "FILL_FROM", 100)
    given = []
    original = database._insert_with_vectors

    def noting(rows):
        given.extend(row.get(PG_VECTORS_KEY) is not None for row in rows)
        return original(rows)

    monkeypatch.setattr(database, "_insert_with_vectors", noting)
    assert import_catalogue(copy.deepcopy(catalogue)).ok
    assert given and all(given)  # all built in Python, none left to the server
    assert SearchDocument.objects.count() == len(given)
    assert _vectors_unlike_the_triggers() == 0
    assert _trigger_enabled() == "O"
    document = SearchDocument.objects.order_by("id").first()
    document.title_tokens = "changed"
    document.save(update_fields=["title_tokens"])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title_vector::text FROM site_search_vectors WHERE id = %s", [document.id]
        )
        assert cursor.fetchone()[0] == "'changed':1A"


@pytest.mark.django_db(transaction=True)
def test_rows_without_given_vectors_get_the_triggers_expressions():
    """In a fill, a row the parser would split otherwise (or built without vectors) gets its
    vectors from the trigger's own expressions."""
    rows = []
    for number, streams in enumerate([PLAIN[0], NOT_PLAIN[0], NOT_PLAIN[1], PLAIN[5]]):
        row = {
            "key": f"instrument:{number}",
            "kind": "instrument",
            "code": f"C{number}",
            "title": "t",
            "url": "/",
            **{name: value or "" for name, value in streams.items()},
        }
        row[PG_VECTORS_KEY] = vectors(row)
        rows.append(row)
    assert [row[PG_VECTORS_KEY] is None for row in rows] == [False, True, True, False]
    with transaction.atomic(), database.vectors_given():
        database_engine().apply_rows({row["key"]: row for row in rows})
    assert SearchDocument.objects.count() == 4
    assert _vectors_unlike_the_triggers() == 0
    assert _trigger_enabled() == "O"


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_fails_in_a_fill_is_indexed_later_with_the_triggers_vectors(
    catalogue, monkeypatch
):
    """A batch the fill cannot write goes to the search outbox, as before (its savepoint rolls
    back its rows and vectors); the drain writes it later through the trigger, which is on
    again: in the end every document has the trigger's vectors and the indexes are back."""
    from marketplace.catalogue.models import Incubator, Instrument, Technology

    monkeypatch.setattr(importer, "PARALLEL_FROM", 100)
    monkeypatch.setattr(indexing, "FILL_FROM", 100)
    monkeypatch.setattr(importer, "BATCH", 100)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('site_search_searchdocument', 'site_search_vectors') ORDER BY 1"
        )
        indexes = cursor.fetchall()
    calls = []
    original = database._insert_with_vectors

    def fails_second(rows):
        calls.append(len(rows))
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(rows)

    monkeypatch.setattr(database, "_insert_with_vectors", fails_second)
    assert import_catalogue(copy.deepcopy(catalogue)).ok
    assert len(calls) > 2
    live = sum(m.objects.filter(live=True).count() for m in (Instrument, Incubator, Technology))
    assert SearchDocument.objects.count() + IndexOperation.objects.count() >= live
    indexing.drain_all(force=True)
    assert SearchDocument.objects.count() == live
    assert _vectors_unlike_the_triggers() == 0
    assert _trigger_enabled() == "O"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN "
            "('site_search_searchdocument', 'site_search_vectors') ORDER BY 1"
        )
        assert cursor.fetchall() == indexes
