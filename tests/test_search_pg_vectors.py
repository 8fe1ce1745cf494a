"""PostgreSQL's search vectors computed in Python (search.backends.pg_vectors) are the ones the
row trigger computes, byte for byte, and a stream the server's parser would read otherwise is
left to the server."""

from __future__ import annotations

import pytest
from django.db import connection

from search.backends.database import PG_VECTOR_EXPRESSIONS, PG_VECTORS
from search.backends.pg_vectors import vectors

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
