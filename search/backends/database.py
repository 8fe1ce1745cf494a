"""The embedded engine: full text in the application's own database.

SQLite uses an FTS5 table kept in step with SearchDocument by triggers; PostgreSQL a stored
tsvector column (kept by a trigger) under a GIN index, with the `simple` configuration
(weights A title, B body, C pinyin, D initials and codes). Both only split the stored token
streams on whitespace: analysis happened in search.analysis (CJK as bigrams, see
index_tokens), and CJK tokens are spelled in ASCII letters (db_token) so neither database's
parser, locale or FTS query syntax can reinterpret them — no query text reaches SQL unquoted.

Where the time goes (docs/performance.md): the database finds the matching rows and their
scores in one statement; everything else happens in this process on bitmaps. Each facet
value has a bitmap of the documents that carry it (a Python int, one bit per row id), so
facet counts under any filters are a few big-integer ANDs and bit counts instead of a join
over every hit, and the page of hits is a partial sort of (score, id) pairs. The bitmaps are
read once per process and brought up to date when the index changes (SearchIndexState).
"""

from __future__ import annotations

import heapq
import random
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from ..analysis import (
    BODY,
    CODES,
    INITIALS,
    PINYIN,
    TITLE,
    ParsedQuery,
    Phrase,
    index_tokens,
    is_cjk_gram,
    normalize,
    query_tokens,
)
from ..analysis import tokens as analysis_tokens
from ..documents import Document
from ..facets import FACET_NAMES, ordered
from ..models import SearchDocument, SearchIndexState
from ..query import Hit, SearchRequest, SearchResult

FTS_TABLE = "site_search_fts"
# Relative importance of a match in each stream, shared with the Elasticsearch engine.
FIELD_WEIGHTS = {TITLE: 10.0, BODY: 1.0, PINYIN: 5.0, INITIALS: 3.0, CODES: 10.0}
FTS_COLUMNS = {
    TITLE: "title_tokens",
    BODY: "body_tokens",
    PINYIN: "pinyin",
    INITIALS: "initials",
    CODES: "codes",
}
PG_WEIGHT_LETTER = {TITLE: "A", BODY: "B", PINYIN: "C", INITIALS: "D", CODES: "D"}
# ts_rank's weights are listed {D, C, B, A}; scaled like FIELD_WEIGHTS.
PG_RANK_WEIGHTS = "{0.3, 0.5, 0.1, 1.0}"

_LETTERS = "abcdefghijklmnop"


def db_token(token: str) -> str:
    """A token as the database indexes it: ASCII as is, a CJK character or bigram as "zq" +
    its code points in letters (电 → zqgfcfe), a plain word to every full-text parser."""
    if is_cjk_gram(token):
        return "".join(
            "zq" + "".join(_LETTERS[int(digit, 16)] for digit in f"{ord(char):04x}")
            for char in token
        )
    return token


def db_stream(tokens: Iterable[str]) -> str:
    return " ".join(db_token(token) for token in index_tokens(list(tokens)))


def document_row(document: Document) -> SearchDocument:
    syllables, initials = document.pinyin
    stream, _initials = document.pinyin_stream
    facets = sorted(facet_pairs(document))
    return SearchDocument(
        key=document.key,
        kind=document.kind,
        code=document.code[:80],
        title=document.title[:300],
        url=document.url[:500],
        text=document.text[:4000],
        title_tokens=db_stream(document.title_tokens),
        body_tokens=db_stream(document.body_tokens[:20000]),
        pinyin=" ".join(stream),
        initials=" ".join(initials),
        codes=db_stream(document.code_tokens),
        title_pinyin="".join(syllables)[:600],
        title_initials="".join(initials)[:300],
        date=document.date,
        price=document.price,
        facet_values="\n".join(f"{name}={value}" for name, value in facets),
        details=document.details,
        stamp=random.getrandbits(62),
    )


def facet_pairs(document: Document) -> set[tuple[str, str]]:
    values = {("kind", document.kind)}
    for name, items in document.facets.items():
        values.update((name, str(value)[:80]) for value in items if value not in (None, ""))
    return values


@dataclass
class _Row:
    stamp: int
    key: str
    date: object
    price: object
    facets: tuple[tuple[str, str], ...]


class FacetBitmaps:
    """Per-process bitmaps of the embedded index: one Python int per facet value (bit n set
    when row id n carries it), every row's sort keys, and the stamp they were read at."""

    def __init__(self) -> None:
        self.state = None
        self.rows: dict[int, _Row] = {}
        self.bitmaps: dict[tuple[str, str], int] = {}
        self.all = 0
        self._orders: dict[str, list[int]] = {}
        self._positions: dict[str, dict[int, int]] = {}
        self.lock = threading.Lock()

    def sync(self, cursor) -> None:
        """Bring the bitmaps up to date: one tiny query when nothing changed; otherwise the
        (id, stamp) pairs, then the rows that are new or different."""
        cursor.execute(f"SELECT stamp FROM {SearchIndexState._meta.db_table}")  # noqa: S608
        found = cursor.fetchone()
        state = found[0] if found else None
        if state == self.state and self.state is not None:
            return
        with self.lock:
            doc_table = SearchDocument._meta.db_table
            cursor.execute(f"SELECT id, stamp FROM {doc_table}")  # noqa: S608
            current = dict(cursor.fetchall())
            gone = [row_id for row_id, row in self.rows.items() if current.get(row_id) != row.stamp]
            changed = [
                row_id
                for row_id, stamp in current.items()
                if row_id not in self.rows or self.rows[row_id].stamp != stamp
            ]
            if len(gone) + len(changed) > len(current) // 2:
                self.rows, self.bitmaps, gone = {}, {}, []
                changed = list(current)
            bits: dict[tuple[str, str], list[int]] = {}
            for row_id in gone:
                for pair in self.rows.pop(row_id).facets:
                    bits.setdefault(pair, []).append(row_id)
            for pair, ids in bits.items():
                mask = _bitmap(ids)
                self.bitmaps[pair] = self.bitmaps.get(pair, 0) & ~mask
            added: dict[tuple[str, str], list[int]] = {}
            for start in range(0, len(changed), 5000):
                chunk = changed[start : start + 5000]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT id, stamp, key, date, price, facet_values FROM {doc_table} "  # noqa: S608
                    f"WHERE id IN ({marks})",
                    chunk,
                )
                for row_id, stamp, key, date, price, values in cursor.fetchall():
                    pairs = tuple(
                        tuple(line.split("=", 1)) for line in (values or "").split("\n") if line
                    )
                    self.rows[row_id] = _Row(stamp, key, date, price, pairs)
                    for pair in pairs:
                        added.setdefault(pair, []).append(row_id)
            for pair, ids in added.items():
                self.bitmaps[pair] = self.bitmaps.get(pair, 0) | _bitmap(ids)
            self.bitmaps = {pair: mask for pair, mask in self.bitmaps.items() if mask}
            self.all = _bitmap(list(self.rows))
            self._orders, self._positions = {}, {}
            self.state = state

    def order(self, sort: str) -> list[int]:
        """Row ids in the order of a sort without a query score (newest, price)."""
        if sort not in self._orders:
            rows = self.rows
            if sort == "price":
                ids = sorted(rows, key=lambda i: rows[i].key)
                ids.sort(key=lambda i: (rows[i].price is None, rows[i].price or 0))
            else:
                ids = sorted(rows, key=lambda i: rows[i].key)
                ids.sort(
                    key=lambda i: rows[i].date.toordinal() if rows[i].date else 0, reverse=True
                )
            self._orders[sort] = ids
            self._positions[sort] = {row_id: index for index, row_id in enumerate(ids)}
        return self._orders[sort]

    def position(self, sort: str) -> dict[int, int]:
        self.order(sort)
        return self._positions[sort]

    def selected(self, filters: dict[str, list[str]], skip: str | None = None) -> int | None:
        """The bitmap of the filters (any value of a facet, every facet), None for no filter."""
        mask = None
        for name, values in filters.items():
            if name == skip:
                continue
            any_of = 0
            for value in values:
                any_of |= self.bitmaps.get((name, value), 0)
            mask = any_of if mask is None else mask & any_of
        return mask

    def counts(self, matched: int, filters: dict[str, list[str]]) -> dict[str, list]:
        """Disjunctive facet counts: each facet counts under every filter but its own."""
        by_name: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_NAMES}
        base = self.selected(filters)
        base = matched if base is None else matched & base
        own: dict[str, int] = {}
        for name in filters:
            other = self.selected(filters, skip=name)
            own[name] = matched if other is None else matched & other
        for (name, value), mask in self.bitmaps.items():
            if name in by_name:
                count = (own.get(name, base) & mask).bit_count()
                if count:
                    by_name[name].append((value, count))
        return {name: ordered(name, values) for name, values in by_name.items()}


def _bitmap(ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    buffer = bytearray((max(ids) >> 3) + 1)
    for row_id in ids:
        buffer[row_id >> 3] |= 1 << (row_id & 7)
    return int.from_bytes(buffer, "little")


def _member_test(mask: int):
    """A fast `row_id in mask` for many ids: the int as bytes, tested bit by bit."""
    data = mask.to_bytes((mask.bit_length() >> 3) + 1, "little")
    size = len(data)

    def contains(row_id: int) -> bool:
        index = row_id >> 3
        return index < size and (data[index] >> (row_id & 7)) & 1 == 1

    return contains


class DatabaseEngine:
    """Full text in the application's own database: nothing to install."""

    name = "database"

    def __init__(self) -> None:
        self.bitmaps = FacetBitmaps()

    def status(self) -> dict:
        return {"engine": self.name, "database": connection.vendor, "ok": True}

    # --- indexing -----------------------------------------------------------------------

    @staticmethod
    def _changed() -> None:
        """A new random stamp in the same transaction as the change (see SearchIndexState)."""
        stamp = random.getrandbits(62)
        if not SearchIndexState.objects.update(stamp=stamp):
            SearchIndexState.objects.create(stamp=stamp)

    def apply(self, documents: dict[str, Document | None]) -> None:
        """Bring the rows of these keys in line with their documents (None = remove)."""
        if not documents:
            return
        with transaction.atomic():
            SearchDocument.objects.filter(key__in=list(documents)).delete()
            self._insert([doc for doc in documents.values() if doc is not None])
            self._changed()

    def _insert(self, documents: list[Document]) -> None:
        SearchDocument.objects.bulk_create([document_row(doc) for doc in documents])

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table}")  # noqa: S608
        self._changed()

    def rebuild(self, documents: Iterable[Document], progress=None, batch_size: int = 500) -> int:
        """Replace the whole index in one transaction: readers see the old one until commit."""
        count = 0
        with transaction.atomic():
            self.clear()
            batch: list[Document] = []
            for document in documents:
                batch.append(document)
                if len(batch) >= batch_size:
                    self._insert(batch)
                    count += len(batch)
                    if progress:
                        progress(len(batch))
                    batch = []
            if batch:
                self._insert(batch)
                count += len(batch)
                if progress:
                    progress(len(batch))
            self._changed()
        return count

    def document_count(self) -> int:
        return SearchDocument.objects.count()

    # --- querying -----------------------------------------------------------------------

    def _fts5_expression(self, parsed: ParsedQuery, relaxed: bool) -> str:
        def phrase(alt: Phrase) -> str:
            columns = " ".join(FTS_COLUMNS[f] for f in alt.fields)
            grams, prefix = query_tokens(alt.tokens, alt.prefix)
            body = '"' + " ".join(db_token(t) for t in grams) + '"'
            return f"{{{columns}}} : {body}" + (" *" if prefix else "")

        terms = [
            "(" + " OR ".join(phrase(alt) for alt in term.alternatives) + ")"
            for term in parsed.terms
        ]
        return (" OR " if relaxed else " AND ").join(terms)

    def _pg_expression(self, parsed: ParsedQuery, relaxed: bool) -> str:
        def phrase(alt: Phrase) -> str:
            weights = "".join(sorted({PG_WEIGHT_LETTER[f] for f in alt.fields}))
            grams, prefix = query_tokens(alt.tokens, alt.prefix)
            lexemes = [f"'{db_token(t)}':{weights}" for t in grams]
            if prefix:
                lexemes[-1] = f"'{db_token(grams[-1])}':*{weights}"
            return "(" + " <-> ".join(lexemes) + ")"

        terms = [
            "(" + " | ".join(phrase(alt) for alt in term.alternatives) + ")"
            for term in parsed.terms
        ]
        return (" | " if relaxed else " & ").join(terms)

    def _matches(self, cursor, parsed: ParsedQuery, relaxed: bool) -> list[tuple[float, int]]:
        """(score, id) of every matching row, in one statement; lower score ranks first."""
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT -ts_rank('{PG_RANK_WEIGHTS}'::float4[], search_vector, query, 1), id "  # noqa: S608
                f"FROM {SearchDocument._meta.db_table}, "
                "to_tsquery('simple'::regconfig, %s) query WHERE search_vector @@ query",
                [self._pg_expression(parsed, relaxed)],
            )
        else:
            weights = ", ".join(
                str(FIELD_WEIGHTS[f]) for f in (TITLE, BODY, PINYIN, INITIALS, CODES)
            )
            cursor.execute(
                f"SELECT bm25({FTS_TABLE}, {weights}), rowid FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s",
                [self._fts5_expression(parsed, relaxed)],
            )
        return cursor.fetchall()

    def search(
        self, parsed: ParsedQuery, request: SearchRequest, relaxed: bool = False
    ) -> SearchResult:
        bitmaps = self.bitmaps
        with connection.cursor() as cursor:
            bitmaps.sync(cursor)
            selected = bitmaps.selected(request.filters)
            wanted = request.offset + request.page_size
            if parsed.empty:
                matched = bitmaps.all
                chosen = matched if selected is None else matched & selected
                count = chosen.bit_count()
                page = self._first_in_order(bitmaps, request.sort, chosen, wanted)
            else:
                rows = self._matches(cursor, parsed, relaxed)
                matched = _bitmap(row_id for _score, row_id in rows)
                if selected is not None:
                    contains = _member_test(selected)
                    rows = [row for row in rows if contains(row[1])]
                count = len(rows)
                page = self._top(bitmaps, request.sort, rows, wanted)
            page = page[request.offset : wanted]
            hits = self._hits(cursor, page)
        facets = bitmaps.counts(matched, request.filters)
        return SearchResult(count=count, hits=hits, facets=facets, engine=self.name)

    @staticmethod
    def _first_in_order(bitmaps: FacetBitmaps, sort: str, chosen: int, wanted: int) -> list[int]:
        if not chosen:
            return []
        order = bitmaps.order("price" if sort == "price" else "newest")
        if chosen == bitmaps.all:
            return order[:wanted]
        contains = _member_test(chosen)
        page: list[int] = []
        for row_id in order:
            if contains(row_id):
                page.append(row_id)
                if len(page) >= wanted:
                    break
        return page

    @staticmethod
    def _top(bitmaps: FacetBitmaps, sort: str, rows: list, wanted: int) -> list[int]:
        """The first `wanted` ids: by score, ties newest first then by key (as Elasticsearch
        sorts), or by the order of a score-less sort."""
        if not rows:
            return []
        if sort in ("newest", "price"):
            position = bitmaps.position(sort)
            return heapq.nsmallest(wanted, (row_id for _s, row_id in rows), key=position.get)
        best = heapq.nsmallest(wanted, rows)
        # every row tied with the last one kept may belong on the page: break ties properly
        threshold = best[-1][0]
        tied = [row for row in rows if row[0] <= threshold]
        position = bitmaps.position("newest")
        tied.sort(key=lambda row: (row[0], position.get(row[1], 0)))
        return [row_id for _score, row_id in tied[:wanted]]

    @staticmethod
    def _hits(cursor, ids: list[int]) -> list[Hit]:
        if not ids:
            return []
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT id, key, kind, code, title, url, text, details "  # noqa: S608
            f"FROM {SearchDocument._meta.db_table} WHERE id IN ({marks})",
            ids,
        )
        found = {}
        details_field = SearchDocument._meta.get_field("details")
        for row_id, key, kind, code, title, url, text, details in cursor.fetchall():
            details = details_field.from_db_value(details, None, connection)
            found[row_id] = Hit(key, kind, code, title, url, text, details=details or {})
        return [found[row_id] for row_id in ids if row_id in found]

    def suggest(self, text: str, limit: int = 8) -> list[str]:
        """Titles containing the typed text, or whose pinyin or initials start with it.

        One statement over three bounded lookups, none of which sorts or scans the table:
        the title column of the full-text index (the typed text as a phrase, its last
        character a prefix), and index ranges of the title's pinyin and initials."""
        typed = normalize(text).strip()
        typed_tokens = tuple(analysis_tokens(typed))
        if not typed_tokens:
            return []
        table = SearchDocument._meta.db_table
        each = limit * 25
        parts, params = [], []
        grams, prefix = query_tokens(typed_tokens)
        if connection.vendor == "postgresql":
            lexemes = [f"'{db_token(t)}':A" for t in grams]
            if prefix:
                lexemes[-1] = f"'{db_token(grams[-1])}':*A"
            parts.append(
                f"SELECT id FROM (SELECT id FROM {table} WHERE search_vector @@ "  # noqa: S608
                f"to_tsquery('simple'::regconfig, %s) LIMIT {each}) t"
            )
            params.append(" <-> ".join(lexemes))
        else:
            phrase = '{title_tokens} : "' + " ".join(db_token(t) for t in grams) + '"'
            parts.append(
                f"SELECT rowid FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} "  # noqa: S608
                f"MATCH %s LIMIT {each})"
            )
            params.append(phrase + (" *" if prefix else ""))
        letters = "".join(ch for ch in typed if ch.isascii() and ch.isalnum())
        if letters and letters == typed.replace(" ", ""):
            for column, length in (("title_pinyin", 60), ("title_initials", 30)):
                low = letters[:length]
                high = low[:-1] + chr(ord(low[-1]) + 1)
                parts.append(
                    f"SELECT id FROM (SELECT id FROM {table} WHERE {column} >= %s "  # noqa: S608
                    f"AND {column} < %s LIMIT {each}) {column}_range"
                )
                params.extend([low, high])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT title FROM {table} WHERE id IN ("  # noqa: S608
                + " UNION ".join(parts)
                + ")",
                params,
            )
            titles = [row[0] for row in cursor.fetchall()]
        return rank_suggestions(titles, typed, limit)


def rank_suggestions(titles: list[str], typed: str, limit: int) -> list[str]:
    """Shortest titles that start with the text first, then the rest, without duplicates."""
    seen: dict[str, None] = {}
    for title in sorted(titles, key=lambda t: (not normalize(t).startswith(typed), len(t), t)):
        seen.setdefault(title, None)
    return list(seen)[:limit]


def collect_facets(rows: Iterable[tuple[str, str, int]]) -> dict[str, list[tuple[str, int]]]:
    """{name: [(value, count)]}: every facet name present, each in its own order."""
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_NAMES}
    for name, value, count in rows:
        if name in facets and count:
            facets[name].append((value, int(count)))
    return {name: ordered(name, values) for name, values in facets.items()}
