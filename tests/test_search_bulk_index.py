"""The bulk indexing shortcut (issue 17, docs/performance.md "Import speed") gives exactly the
streams of the long way: the one-pass token streams of a document's index row."""

from __future__ import annotations

import pytest

from search.analysis import spelled_stream, tokens
from search.backends.database import (
    BODY_TOKENS,
    db_stream,
    document_values,
)
from search.documents import Document

TEXTS = [
    ["电子显微镜"],
    ["电子 显微镜，扫描"],  # a run goes on across spaces and punctuation
    ["a电b子  c 显微镜 TEM-01"],
    ["透射电镜", "电镜 TEM"],  # and from one text into the next
    ["ＡＢＣ１２３ 全角", "Microscopes technologies analyses classes"],
    ["", ""],
    [],
    ["镜"],
    ["检测 " * 50],
]


def long_way(texts, separated=False):
    out: list[str] = []
    for text in texts:
        if separated and out:
            out.append("zqzz")
        out.extend(tokens(text))
    return db_stream(out)


@pytest.mark.parametrize("texts", TEXTS)
def test_one_pass_stream_equals_the_token_by_token_stream(texts):
    assert spelled_stream(texts) == long_way(texts)


@pytest.mark.parametrize(
    "codes", [["YLU-TEM-01", "JEM-2100F"], ["", "ZL2021 电镜", "", "x"], ["电", "镜"], [""]]
)
def test_codes_are_separated_as_in_the_code_stream(codes):
    document = Document(key="k", kind="instrument", code="c", title="", url="", text="")
    document.codes = codes
    assert spelled_stream(codes, separated=True) == db_stream(document.code_tokens)


def test_a_text_that_may_pass_the_token_limit_takes_the_long_way():
    assert spelled_stream(["电" * (BODY_TOKENS + 1)], longest=BODY_TOKENS) is None
    assert spelled_stream(["电" * BODY_TOKENS], longest=BODY_TOKENS) == long_way(
        ["电" * BODY_TOKENS]
    )


def test_an_index_row_holds_the_token_by_token_streams():
    document = Document(
        key="instrument:1",
        kind="instrument",
        code="YLU-TEM-01",
        title="透射电子显微镜",
        url="/instruments/YLU-TEM-01/",
        text="场发射透射电镜，可做能谱分析。Transmission electron microscopes.",
        title_en="Transmission Electron Microscope",
        names=["云南大学", "昆明理工大学"],
        codes=["YLU-TEM-01", "JEM-2100F"],
    )
    row = document_values(document)
    stream, initials = document.pinyin_stream
    assert row["title_tokens"] == db_stream(document.title_tokens)
    assert row["body_tokens"] == db_stream(document.body_tokens)
    assert row["codes"] == db_stream(document.code_tokens)
    assert row["pinyin"] == " ".join(stream)
    assert row["initials"] == " ".join(initials)
