"""The embedded engine: full text in the application's own database.

SQLite uses an FTS5 table kept in step with SearchDocument by triggers; PostgreSQL three stored
tsvectors (title, alias = pinyin+initials+codes, body; kept by a trigger, migration 0005), each
under its own GIN index, with the `simple` configuration
(weights A title, B body, C pinyin, D initials and codes). Both only split the stored token
streams on whitespace: analysis happened in search.analysis (CJK as bigrams, see
index_tokens), and CJK tokens are spelled in ASCII letters (db_token) so neither database's
parser, locale or FTS query syntax can reinterpret them — no query text reaches SQL unquoted.

Where the time goes (docs/performance.md): the database collects the matching row ids, per
term and column, in one statement, and scores a narrow query (bm25, ts_rank); everything
else happens in this process on numpy arrays indexed by row id (FacetArrays): facet counts
under any filters are bincounts instead of a join over every hit, filters and score-less
orders are array lookups, a wide query is ranked from the name fields each row matched,
and the page of hits is a partial sort. The arrays are read once per process and brought
up to date when the index changes (SearchIndexState).
"""

from __future__ import annotations

import contextlib
import datetime
import random
import threading
from collections import OrderedDict
from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from django.db import connection, transaction

from ..analysis import (
    BODY,
    CODES,
    INITIALS,
    PINYIN,
    SEPARATOR,
    TITLE,
    ParsedQuery,
    Phrase,
    index_tokens,
    is_cjk_gram,
    normalize,
    pinyin_tokens,
    query_tokens,
    spelled_stream,
)
from ..analysis import tokens as analysis_tokens
from ..bulk import insert_values
from ..documents import Document
from ..facets import FACET_NAMES, ordered
from ..models import SearchDocument, SearchIndexState
from ..query import Hit, SearchRequest, SearchResult

FTS_TABLE = "site_search_fts"
FTS_TRIGGER = "site_search_fts_ai"  # SQLite: adds each inserted row to FTS_TABLE (migration 0004)
# From this many rows at once the FTS index is written in one statement after them.
FTS_BULK_FROM = 200
# The body stream indexes a document's first this many tokens.
BODY_TOKENS = 20000
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
# PostgreSQL keeps three stored vectors (migration 0005): the title, the pinyin, initials and
# codes together ("alias"), and the body, the only large one; in a narrow table of their own
# (migration 0006), so that collecting the ids of a wide match reads few heap pages.
VECTOR_TABLE = "site_search_vectors"
TITLE_VECTOR, ALIAS_VECTOR, BODY_VECTOR = "title_vector", "alias_vector", "body_vector"
PG_VECTORS = (TITLE_VECTOR, ALIAS_VECTOR, BODY_VECTOR)
PG_COLUMNS = {
    TITLE: TITLE_VECTOR,
    BODY: BODY_VECTOR,
    PINYIN: ALIAS_VECTOR,
    INITIALS: ALIAS_VECTOR,
    CODES: ALIAS_VECTOR,
}
# Each vector of a document row as the row trigger of migration 0006 computes it (over the
# row's columns instead of NEW's), for the rows whose vectors are not given (vectors_given).
PG_VECTOR_EXPRESSIONS = {
    TITLE_VECTOR: "setweight(to_tsvector('simple'::regconfig, coalesce(title_tokens, '')), 'A')",
    ALIAS_VECTOR: " || ".join(
        f"setweight(to_tsvector('simple'::regconfig, coalesce({column}, '')), '{weight}')"
        for column, weight in (("pinyin", "C"), ("initials", "D"), ("codes", "D"))
    ),
    BODY_VECTOR: "setweight(to_tsvector('simple'::regconfig, coalesce(body_tokens, '')), 'B')",
}
VECTOR_TRIGGER = "site_search_vectors_write"
# A row's vectors as tsvector text (search.backends.pg_vectors), when a bulk writer built them.
PG_VECTORS_KEY = "pg_vectors"
_vectors_given: ContextVar[bool] = ContextVar("vectors_given", default=False)
# ts_rank's weights are listed {D, C, B, A}; scaled like FIELD_WEIGHTS.
PG_RANK_WEIGHTS = "{0.3, 0.5, 0.1, 1.0}"

_LETTERS = "abcdefghijklmnop"
# A query matching more rows than this (on PostgreSQL: more rows in a name field) is "wide":
# the database's own ranking (bm25, ts_rank) costs 2–6 µs a row, so a wide query's page is
# ranked here instead, from what the id collection already tells (docs/performance.md,
# "bounded name ranking"): the weights of the name fields each row matched, then the
# shorter title, then newest first. The judged queries never reach the bound.
RANK_ALL = 1000
# What a match in each field counts in that ranking: the name fields as in FIELD_WEIGHTS,
# the body nothing (body-only matches follow newest first). PostgreSQL has one vector for
# pinyin, initials and codes, counted as pinyin.
NAME_WEIGHTS = {TITLE: 10.0, BODY: 0.0, PINYIN: 5.0, INITIALS: 3.0, CODES: 10.0}
PG_NAME_WEIGHTS = {TITLE_VECTOR: 10.0, ALIAS_VECTOR: 5.0, BODY_VECTOR: 0.0}


@dataclass(frozen=True)
class PgQuery:
    """A query for PostgreSQL: its WHERE condition and its rank expression, each with the
    tsquery texts it binds as parameters (never spliced into the SQL)."""

    where: str
    where_params: list[str]
    rank: str
    rank_params: list[str]
    # (term number, column, condition, its tsquery text): each term's condition on the
    # title, the body (both exact in the GIN index, no recheck) and the alias, each scanned
    # on its own (see DatabaseEngine._matches)
    branches: tuple[tuple[int, str, str, str], ...] = ()
    terms: int = 0
    relaxed: bool = False


@lru_cache(maxsize=1 << 18)
def db_token(token: str) -> str:
    """A token as the database indexes it: ASCII as is, a CJK character or bigram as "zq" +
    its code points in letters (电 → zqgfcfe), a plain word to every full-text parser.
    Remembered: the CJK bigrams of a catalogue repeat, and spelling each one out was a third
    of a bulk import's time (docs/performance.md)."""
    if is_cjk_gram(token):
        return "".join(
            "zq" + "".join(_LETTERS[int(digit, 16)] for digit in f"{ord(char):04x}")
            for char in token
        )
    return token


def db_stream(tokens: Iterable[str]) -> str:
    return " ".join(map(db_token, index_tokens(list(tokens))))


def _insert_with_fts_after(rows: list[dict]) -> None:
    """SQLite, many rows: insert them with the FTS5 insert trigger dropped, then add them all
    to the full-text index in one `INSERT … SELECT`, and put the trigger back — all in the
    caller's transaction (DDL is transactional in SQLite, and the transaction holds the
    database's write lock from the first statement, so no other writer can insert while the
    trigger is away). The trigger ran a statement per row: 2.2 s of CPU for 9,500 documents
    against 0.7 s this way (docs/performance.md, "Import speed"). Django's SQLite ids are
    AUTOINCREMENT, so the new rows are exactly those above the largest id before them."""
    table = SearchDocument._meta.db_table
    columns = ", ".join(FTS_COLUMNS[f] for f in (TITLE, BODY, PINYIN, INITIALS, CODES))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s", [FTS_TRIGGER]
        )
        trigger = cursor.fetchone()
        if trigger is None:  # not this schema: leave the full-text index to what there is
            insert_values(SearchDocument, rows)
            return
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608
        (last,) = cursor.fetchone()
        cursor.execute(f"DROP TRIGGER {FTS_TRIGGER}")
        insert_values(SearchDocument, rows)
        cursor.execute(
            f"INSERT INTO {FTS_TABLE} (rowid, {columns}) "  # noqa: S608
            f"SELECT id, {columns} FROM {table} WHERE id > %s",
            [last],
        )
        cursor.execute(trigger[0])


@contextlib.contextmanager
def vectors_given():
    """PostgreSQL, filling an empty index in one transaction (search.indexing.index_in_bulk):
    the row trigger that computes each new document's vectors (migration 0006: `to_tsvector`
    three times and a PL/pgSQL upsert per row, the largest share of the server's time in an
    import) is off in the block, and the rows inserted in it bring their vectors as text
    (PG_VECTORS_KEY, search.backends.pg_vectors), which the server only reads; a row without
    them gets the trigger's own expressions. Disabling the trigger locks the document table
    until the commit, as dropping its indexes does; a block that raises leaves everything as
    it was (the transaction rolls back, the trigger with it). Elsewhere a plain block."""
    if connection.vendor != "postgresql":
        yield
        return
    table = SearchDocument._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {VECTOR_TRIGGER}")
    token = _vectors_given.set(True)
    try:
        yield
    finally:
        _vectors_given.reset(token)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {VECTOR_TRIGGER}")


def _insert_with_vectors(rows: list[dict]) -> None:
    """PostgreSQL, in `vectors_given`: the rows, then their vectors (by COPY where the row
    brings them, else by the trigger's expressions), looked up by key."""
    if not rows:
        return
    insert_values(SearchDocument, rows)
    table = SearchDocument._meta.db_table
    columns = ", ".join(PG_VECTORS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key, id FROM {table} WHERE key = ANY(%s)",  # noqa: S608
            [[row["key"] for row in rows]],
        )
        ids = dict(cursor.fetchall())
        given, computed = [], []
        for row in rows:
            vectors = row.get(PG_VECTORS_KEY)
            if vectors is None:
                computed.append(ids[row["key"]])
            else:
                given.append((ids[row["key"]], *vectors))
        if given:
            with cursor.cursor.copy(
                f"COPY {VECTOR_TABLE} (id, {columns}) FROM STDIN"  # noqa: S608
            ) as copy:
                for values in given:
                    copy.write_row(values)
        if computed:
            cursor.execute(
                f"INSERT INTO {VECTOR_TABLE} (id, {columns}) "  # noqa: S608
                f"SELECT id, {', '.join(PG_VECTOR_EXPRESSIONS[v] for v in PG_VECTORS)} "
                f"FROM {table} WHERE id = ANY(%s)",
                [computed],
            )


def document_values(document: Document) -> dict:
    """A document's SearchDocument row as {attname: value} (search.bulk.insert_values)."""
    syllables, initials = document.pinyin
    stream = syllables  # Document.pinyin_stream, without spelling the title twice
    for name in document.names:
        more, _initials = pinyin_tokens(name)
        if more:
            stream = [*stream, SEPARATOR, *more]
    facets = sorted(facet_pairs(document))
    # at most 20,000 body tokens: a text of no more characters cannot have more
    body = spelled_stream([document.text], longest=BODY_TOKENS)
    return {
        "key": document.key,
        "kind": document.kind,
        "code": document.code[:80],
        "title": document.title[:300],
        "url": document.url[:500],
        "text": document.text[:4000],
        "title_tokens": spelled_stream([document.title, document.title_en]),
        "body_tokens": db_stream(document.body_tokens[:BODY_TOKENS]) if body is None else body,
        "pinyin": " ".join(stream),
        "initials": " ".join(initials),
        "codes": spelled_stream(document.codes, separated=True),
        "title_pinyin": "".join(syllables)[:600],
        "title_initials": "".join(initials)[:300],
        "date": document.date,
        "price": document.price,
        "facet_values": "\n".join(f"{name}={value}" for name, value in facets),
        "details": document.details,
        "stamp": random.getrandbits(62),
    }


def facet_pairs(document: Document) -> set[tuple[str, str]]:
    values = {("kind", document.kind)}
    for name, items in document.facets.items():
        values.update((name, str(value)[:80]) for value in items if value not in (None, ""))
    return values


MULTI_VALUED = ("service_mode", "transfer_mode")  # a document may have several values

# What the matches of recent queries may hold in one process (KeptMatches): 32 MB is about
# 600 queries of 6,000 matches (显微镜) or 50 of 40,000 (检测).
KEEP_MATCHES_BYTES = 32 << 20


@dataclass
class Matches:
    """What the full-text statements told about one query: every matching row id (sorted),
    the name-field weight of each, and, once a page ranked by score needed them, the
    (score, id) rows of the database's ranking (DatabaseEngine._scored)."""

    ids: np.ndarray
    names: np.ndarray
    scored: list | None = None

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.names.nbytes + 64 * len(self.scored or ())


class KeptMatches:
    """The matches of recent queries, kept in this process under the index's stamp
    (SearchIndexState, read by every search's first statement anyway): a query seen before
    under the same stamp is answered without a full-text statement — on PostgreSQL the
    collection of its ids was most of a search's time (a bitmap heap scan of 2,500 pages for
    显微镜) — while its filters, sort and page still vary (the anonymous page cache keeps
    only exact repeats). Any change to the index changes the stamp in the same transaction,
    so nothing kept outlives the rows it was read from; least recently used first out, within
    KEEP_MATCHES_BYTES."""

    def __init__(self) -> None:
        self.state = None
        self.entries: OrderedDict[tuple, tuple[Matches, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, state, key: tuple) -> Matches | None:
        if state is None:
            return None
        with self.lock:
            if state != self.state:
                return None
            found = self.entries.get(key)
            if found is None:
                return None
            self.entries.move_to_end(key)
            return found[0]

    def put(self, state, key: tuple, matches: Matches) -> None:
        """Keep (or re-measure, after its scores were added) `matches` read under `state`."""
        if state is None:
            return
        matches.ids.flags.writeable = False
        matches.names.flags.writeable = False
        with self.lock:
            if state != self.state:  # the index changed: what was kept is of another index
                self.entries.clear()
                self.size = 0
                self.state = state
            previous = self.entries.pop(key, None)
            if previous is not None:
                self.size -= previous[1]
            size = matches.nbytes
            if size > KEEP_MATCHES_BYTES:
                return
            self.entries[key] = (matches, size)
            self.size += size
            while self.size > KEEP_MATCHES_BYTES:
                _key, (_oldest, oldest_size) = self.entries.popitem(last=False)
                self.size -= oldest_size


class FacetArrays:
    """Per-process arrays of the embedded index, indexed by row id: for every facet the code
    of each row's value (-1 for none; multi-valued facets a bit per value), whether the row
    is alive, and its positions in the newest and price orders. Facet counts are then a
    bincount over the matching rows, filters are array comparisons, and a score-less sort
    is a lookup of precomputed positions. Read once per process, then brought up to date
    from the rows whose (id, stamp) changed (see SearchIndexState)."""

    def __init__(self) -> None:
        self.state = None
        self.stamps: dict[int, int] = {}
        self.size = 0
        self.alive = np.zeros(0, dtype=bool)
        self.codes: dict[str, np.ndarray] = {}
        self.values: dict[str, list[str]] = {name: [] for name in FACET_NAMES}
        self.lookup: dict[str, dict[str, int]] = {name: {} for name in FACET_NAMES}
        self.keys: dict[int, str] = {}
        self.dates = np.zeros(0, dtype=np.int64)
        self.prices = np.zeros(0, dtype=np.float64)
        # characters in each row's title: the tie-break of the bounded name ranking
        self.title_lengths = np.zeros(0, dtype=np.int64)
        self._positions: dict[str, np.ndarray] = {}
        # (facet, codes) → the boolean mask of the rows having any of those values
        self._masks: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}
        self.lock = threading.Lock()
        self._grow(64)

    # --- keeping up to date -------------------------------------------------------------

    def _grow(self, size: int) -> None:
        if size <= self.size:
            return
        size = max(size, int(self.size * 1.25) + 64)
        extra = size - self.size
        self.alive = np.concatenate([self.alive, np.zeros(extra, dtype=bool)])
        for name in FACET_NAMES:
            dtype = np.uint32 if name in MULTI_VALUED else np.int32
            fill = 0 if name in MULTI_VALUED else -1
            old = self.codes.get(name, np.zeros(0, dtype=dtype))
            self.codes[name] = np.concatenate([old, np.full(extra, fill, dtype=dtype)])
        self.dates = np.concatenate([self.dates, np.zeros(extra, dtype=np.int64)])
        self.prices = np.concatenate([self.prices, np.full(extra, np.inf)])
        self.title_lengths = np.concatenate([self.title_lengths, np.zeros(extra, dtype=np.int64)])
        self.size = size

    def _code(self, name: str, value: str) -> int:
        table = self.lookup[name]
        if value not in table:
            table[value] = len(self.values[name])
            self.values[name].append(value)
        return table[value]

    def _clear(self, row_id: int) -> None:
        self.alive[row_id] = False
        for name in FACET_NAMES:
            self.codes[name][row_id] = 0 if name in MULTI_VALUED else -1
        self.keys.pop(row_id, None)
        self.stamps.pop(row_id, None)

    def sync(self, cursor, scans: bool = True):
        """One tiny query when nothing changed; otherwise the (id, stamp) pairs, then the
        rows that are new or different. Returns the index's stamp as this statement read
        it. `scans`: on PostgreSQL the statement also turns the sequential scans off for
        the rest of the caller's transaction (see _index_scans)."""
        table = SearchIndexState._meta.db_table
        if connection.vendor == "postgresql" and scans:
            # the transaction's settings (see _index_scans) ride on this statement: one
            # round trip fewer per search
            cursor.execute(
                f"SELECT (SELECT stamp FROM {table} LIMIT 1), "  # noqa: S608
                "set_config('enable_seqscan', 'off', true), "
                "set_config('max_parallel_workers_per_gather', '0', true)"
            )
        else:
            cursor.execute(f"SELECT stamp FROM {table}")  # noqa: S608
        found = cursor.fetchone()
        state = found[0] if found else None
        if state == self.state and self.state is not None:
            return state
        with self.lock:
            doc_table = SearchDocument._meta.db_table
            cursor.execute(f"SELECT id, stamp FROM {doc_table}")  # noqa: S608
            current = dict(cursor.fetchall())
            for row_id in [i for i, stamp in self.stamps.items() if current.get(i) != stamp]:
                self._clear(row_id)
            changed = [i for i, stamp in current.items() if self.stamps.get(i) != stamp]
            if changed:
                self._grow(max(changed) + 1)
            for start in range(0, len(changed), 5000):
                chunk = changed[start : start + 5000]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    "SELECT id, stamp, key, date, price, facet_values, length(title) "  # noqa: S608
                    f"FROM {doc_table} WHERE id IN ({marks})",
                    chunk,
                )
                for row in cursor.fetchall():
                    self._load(*row)
            self._positions = {}
            self._masks = {}
            self.state = state
        return state

    def _load(self, row_id, stamp, key, day, price, values, title_length) -> None:
        self._clear(row_id)
        self.alive[row_id] = True
        self.title_lengths[row_id] = title_length or 0
        self.stamps[row_id] = stamp
        self.keys[row_id] = key
        if isinstance(day, str):
            day = datetime.date.fromisoformat(day)
        self.dates[row_id] = day.toordinal() if day else 0
        self.prices[row_id] = float(price) if price is not None else np.inf
        for line in (values or "").split("\n"):
            name, _sep, value = line.partition("=")
            if name not in self.lookup:
                continue
            code = self._code(name, value)
            if name in MULTI_VALUED:
                if code < 32:
                    self.codes[name][row_id] |= np.uint32(1 << code)
            else:
                self.codes[name][row_id] = code

    # --- answering ----------------------------------------------------------------------

    def position(self, sort: str) -> np.ndarray:
        """Each row's place in a score-less order: newest (date descending, then key) or
        price (ascending, none last, then key); rows not in the index last."""
        if sort not in self._positions:
            ids = np.array(sorted(self.keys, key=self.keys.__getitem__), dtype=np.int64)
            primary = self.prices[ids] if sort == "price" else -self.dates[ids]
            order = ids[np.argsort(primary, kind="stable")]
            position = np.full(self.size, len(order) + 1, dtype=np.int64)
            position[order] = np.arange(len(order))
            self._positions[sort] = position
        return self._positions[sort]

    def mask(self, ids: np.ndarray) -> np.ndarray:
        found = np.zeros(self.size, dtype=bool)
        found[ids[ids < self.size]] = True
        return found & self.alive

    def selected(self, filters: dict[str, list[str]], skip: str | None = None):
        """The boolean mask of the filters (any value of a facet, every facet); None if none."""
        result = None
        for name, values in filters.items():
            if name == skip or name not in self.codes:
                continue
            codes = tuple(self.lookup[name][v] for v in values if v in self.lookup[name])
            this = self._facet_mask(name, codes)
            result = this if result is None else result & this
        return result

    def _facet_mask(self, name: str, codes: tuple[int, ...]) -> np.ndarray:
        """The rows having any of these codes of one facet, remembered until the index
        changes (a filter's mask is the same for every query; np.isin took 1–2 ms a facet
        over 100,000 rows, a comparison per value takes 0.05 ms)."""
        key = (name, codes)
        masks = self._masks
        found = masks.get(key)
        if found is not None:
            return found
        column = self.codes[name]
        if name in MULTI_VALUED:
            bits = sum(1 << code for code in codes if code < 32)
            mask = (column & np.uint32(bits)) != 0
        else:
            mask = np.zeros(len(column), dtype=bool)
            for code in codes:
                mask |= column == code
        if len(masks) >= 256:  # bounded: arbitrary combinations of values cannot grow it
            masks.clear()
        masks[key] = mask
        return mask

    def counts(self, matched: np.ndarray, filters: dict[str, list[str]]) -> dict[str, list]:
        """Disjunctive facet counts: each facet counts under every filter but its own."""
        base = self.selected(filters)
        base = np.flatnonzero(matched if base is None else matched & base)
        out: dict[str, list[tuple[str, int]]] = {}
        for name in FACET_NAMES:
            rows = base
            if name in filters:
                other = self.selected(filters, skip=name)
                rows = np.flatnonzero(matched if other is None else matched & other)
            codes = self.codes[name][rows]
            values = self.values[name]
            pairs: list[tuple[str, int]] = []
            if name in MULTI_VALUED:
                for code, value in enumerate(values[:32]):
                    count = int(np.count_nonzero(codes & np.uint32(1 << code)))
                    if count:
                        pairs.append((value, count))
            else:
                tally = np.bincount(codes[codes >= 0], minlength=len(values))
                counted = tally.tolist()
                pairs = [(values[code], counted[code]) for code in np.flatnonzero(tally).tolist()]
            out[name] = ordered(name, pairs)
        return out


class DatabaseEngine:
    """Full text in the application's own database: nothing to install."""

    name = "database"

    def __init__(self) -> None:
        self.arrays = FacetArrays()
        self.kept = KeptMatches()

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
        self.apply_rows(
            {key: None if doc is None else document_values(doc) for key, doc in documents.items()}
        )

    def apply_rows(self, rows: dict[str, dict | None]) -> None:
        """`apply` for documents already turned into their rows (`document_values`), by a bulk
        writer that built them elsewhere (the catalogue import's second process)."""
        if not rows:
            return
        with transaction.atomic():
            SearchDocument.objects.filter(key__in=list(rows)).delete()
            self._insert_rows([row for row in rows.values() if row is not None])
            self._changed()

    def _insert(self, documents: list[Document]) -> None:
        self._insert_rows([document_values(doc) for doc in documents])

    def _insert_rows(self, rows: list[dict]) -> None:
        if connection.vendor == "sqlite" and len(rows) >= FTS_BULK_FROM:
            _insert_with_fts_after(rows)
        elif _vectors_given.get():
            _insert_with_vectors(rows)
        else:
            insert_values(SearchDocument, rows)

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

    def _fts5_expression(
        self, parsed: ParsedQuery, relaxed: bool, fields: tuple[str, ...] | None = None
    ) -> str:
        """The FTS5 query; with `fields`, only phrases in those streams (the name fields)."""

        def phrase(alt: Phrase) -> str | None:
            columns = [FTS_COLUMNS[f] for f in alt.fields if fields is None or f in fields]
            if not columns:
                return None
            grams, prefix = query_tokens(alt.tokens, alt.prefix)
            body = '"' + " ".join(db_token(t) for t in grams) + '"'
            return f"{{{' '.join(columns)}}} : {body}" + (" *" if prefix else "")

        terms = []
        for term in parsed.terms:
            phrases = [p for p in (phrase(alt) for alt in term.alternatives) if p]
            if phrases:
                terms.append("(" + " OR ".join(phrases) + ")")
            elif not relaxed:
                return ""
        return (" OR " if relaxed else " AND ").join(terms)

    def _pg_expression(
        self, parsed: ParsedQuery, relaxed: bool, fields: tuple[str, ...] | None = None
    ) -> PgQuery | None:
        """The WHERE condition and the rank over the three vectors (migration 0005): each
        phrase goes to the column of its field, the title and the body without a weight
        (so a one-token term is answered by the GIN index alone, no recheck), the alias
        column with the weight of its stream (pinyin C, initials and codes D)."""

        def phrase(alt: Phrase, column: str) -> str | None:
            wanted = [
                f for f in alt.fields if PG_COLUMNS[f] == column and (fields is None or f in fields)
            ]
            if not wanted:
                return None
            weights = ""
            if column == ALIAS_VECTOR:
                weights = "".join(sorted({PG_WEIGHT_LETTER[f] for f in wanted}))
            grams, prefix = query_tokens(alt.tokens, alt.prefix)
            lexemes = [
                f"'{db_token(t)}':{weights}" if weights else f"'{db_token(t)}'" for t in grams
            ]
            if prefix:
                lexemes[-1] = f"'{db_token(grams[-1])}':*{weights}"
            # In the title and the body a phrase is all of its tokens, not their sequence:
            # a sequence (<->) makes the GIN index ask for a recheck, which for the body
            # detoasts and decompresses the row's body vector, and the recheck flag is per
            # heap page, so a few title phrases made most of a wide match read its bodies
            # (docs/performance.md). The tokens are overlapping CJK bigrams or a few
            # English words, so "all of them" differs from "in sequence" rarely and only
            # in long texts. The alias keeps sequences (pinyin syllables, initials) and
            # needs a recheck anyway (weights), but only reads its own, small vector.
            joiner = " <-> " if column == ALIAS_VECTOR else " & "
            return "(" + joiner.join(lexemes) + ")"

        # per term, per column: the term's phrases in that column as one tsquery
        per_term: list[dict[str, str]] = []
        for term in parsed.terms:
            columns: dict[str, str] = {}
            for column in PG_VECTORS:
                phrases = [p for p in (phrase(alt, column) for alt in term.alternatives) if p]
                if phrases:
                    columns[column] = "(" + " | ".join(phrases) + ")"
            if columns:
                per_term.append(columns)
            elif not relaxed:
                return None
        if not per_term:
            return None
        joiner = " | " if relaxed else " & "
        whole = {
            column: joiner.join(term[column] for term in per_term if column in term)
            for column in PG_VECTORS
        }
        whole = {column: query for column, query in whole.items() if query}
        match = "{column} @@ to_tsquery('simple'::regconfig, %s)"
        if relaxed:
            # any term in any column: one condition per column
            where = " OR ".join(match.format(column=column) for column in whole)
            where_params = list(whole.values())
        else:
            where = " AND ".join(
                "(" + " OR ".join(match.format(column=column) for column in term) + ")"
                for term in per_term
            )
            where_params = [query for term in per_term for query in term.values()]
        rank = " + ".join(
            f"ts_rank('{PG_RANK_WEIGHTS}'::float4[], {column}, "
            "to_tsquery('simple'::regconfig, %s), 1)"
            for column in whole
        )
        branches = tuple(
            (number, column, match.format(column=column), query)
            for number, term in enumerate(per_term)
            for column, query in term.items()
        )
        return PgQuery(
            where,
            where_params,
            rank,
            list(whole.values()),
            branches=branches,
            terms=len(per_term),
            relaxed=relaxed,
        )

    def _scored(self, cursor, expression: str) -> list:
        """(score, id) of the rows matching an expression; lower score ranks first."""
        if not expression:
            return []
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT -({expression.rank}), id FROM {VECTOR_TABLE} "  # noqa: S608
                f"WHERE {expression.where}",
                expression.rank_params + expression.where_params,
            )
        else:
            weights = ", ".join(
                str(FIELD_WEIGHTS[f]) for f in (TITLE, BODY, PINYIN, INITIALS, CODES)
            )
            cursor.execute(
                f"SELECT bm25({FTS_TABLE}, {weights}), rowid FROM {FTS_TABLE} "  # noqa: S608
                f"WHERE {FTS_TABLE} MATCH %s",
                [expression],
            )
        return cursor.fetchall()

    def _fts5_branches(self, parsed: ParsedQuery, relaxed: bool) -> list | None:
        """(term number, name weight, FTS5 query) for each term and each column it may
        match in: the id collection scans them one by one (see _matches). None when a term
        can match nowhere and every term is needed."""
        branches = []
        for number, term in enumerate(parsed.terms):
            one = ParsedQuery(parsed.text, [term])
            found = [
                (number, NAME_WEIGHTS[field], query)
                for field in (TITLE, BODY, CODES, PINYIN, INITIALS)
                if (query := self._fts5_expression(one, relaxed, (field,)))
            ]
            if not found and not relaxed:
                return None
            branches += found
        return branches

    def _matches(self, cursor, parsed: ParsedQuery, relaxed: bool, expression):
        """Every matching row id (sorted) and, for each, the weight of the name fields it
        matches in (NAME_WEIGHTS, summed over the terms): one statement, a scan per term and
        column (UNION ALL, each id list one comma-separated string parsed by numpy),
        combined here — a term matches in any of its columns, the query needs every term
        (any when relaxed).

        On PostgreSQL the title and the body are exact in the GIN index (no sequence, no
        weight: no recheck, no body vector read), the alias is rechecked in-row; scanned
        together in one OR, the alias's recheck flags (per heap page) made the body vectors
        of those pages be read and decompressed. On SQLite the per-column scans cost about
        what one scan of the whole expression does, and they replace the bm25 of a wide
        query's name matches (2–3 µs a row, 4–19 ms for the wide queries of the bench)."""
        empty = np.zeros(0, np.int64), np.zeros(0)
        if connection.vendor == "postgresql":
            if expression is None:
                return empty
            if not relaxed and expression.terms > 1:
                return self._pg_every_term(cursor, expression)
            branches = self._pg_branches(expression)
            terms = expression.terms
        else:
            found = self._fts5_branches(parsed, relaxed)
            if not found:
                return empty
            scan = "SELECT {}, group_concat(rowid), NULL FROM " + FTS_TABLE + " WHERE {}"  # noqa: S608
            branches = [
                (n, weight, 0.0, scan.format(index, f"{FTS_TABLE} MATCH %s"), (q,))
                for index, (n, weight, q) in enumerate(found)
            ]
            terms = len({number for number, *_rest in found})
        # the branch's number is a literal (ours, not the user's); the queries are parameters
        cursor.execute(
            " UNION ALL ".join(select for *_rest, select, _queries in branches),
            [query for *_rest, queries in branches for query in queries],
        )
        found: list[tuple[int, float, np.ndarray]] = []
        for index, every, named in cursor.fetchall():
            number, weight, named_weight, *_rest = branches[index]
            if every:
                found.append((number, weight, np.fromstring(every, dtype=np.int64, sep=",")))
            if named:
                found.append((number, named_weight, np.fromstring(named, dtype=np.int64, sep=",")))
        if not found or (not relaxed and len({number for number, *_ in found}) < terms):
            return empty
        # as boolean masks over the row ids (sorting and merging id lists cost more)
        size = max(self.arrays.size, *(int(ids.max()) + 1 for *_rest, ids in found))
        per_term: dict[int, np.ndarray] = {}
        weights = np.zeros(size)
        for number, weight, ids in found:
            per_term.setdefault(number, np.zeros(size, dtype=bool))[ids] = True
            if weight:
                weights[ids] += weight
        masks = iter(per_term.values())
        matched = next(masks)
        for mask in masks:
            matched = matched | mask if relaxed else matched & mask
        ids = np.flatnonzero(matched)
        return ids, weights[ids]

    @staticmethod
    def _pg_branches(expression: PgQuery) -> list:
        """_matches's scans on PostgreSQL: (term number, weight of the rows found, weight of
        the rows found by the FILTER, the SELECT, its parameters). A term's title and body
        conditions are one bitmap scan (a BitmapOr of the two GIN indexes, both exact: no
        recheck), the title matches among its rows counted by an in-row FILTER on the small
        title vector, so the heap pages of a match in both (显微镜: 5,777 of 6,117 rows)
        are visited once instead of twice; the alias is scanned on its own (its recheck
        flag would make the body vectors of its pages be read). The same ids and weights
        as one scan per term and column."""
        per_term: dict[int, dict[str, tuple[str, str]]] = {}
        for number, column, condition, query in expression.branches:
            per_term.setdefault(number, {})[column] = (condition, query)
        branches = []
        for number, columns in per_term.items():
            exact = [column for column in (TITLE_VECTOR, BODY_VECTOR) if column in columns]
            if exact:
                where = " OR ".join(columns[column][0] for column in exact)
                params = [columns[column][1] for column in exact]
                named = "NULL"
                if TITLE_VECTOR in columns and len(exact) > 1:
                    condition, query = columns[TITLE_VECTOR]
                    named = f"string_agg(id::text, ',') FILTER (WHERE {condition})"
                    params.insert(0, query)
                    weight = PG_NAME_WEIGHTS[BODY_VECTOR]
                else:
                    weight = PG_NAME_WEIGHTS[exact[0]]
                branches.append(
                    (number, weight, PG_NAME_WEIGHTS[TITLE_VECTOR], where, named, params)
                )
            if ALIAS_VECTOR in columns:
                condition, query = columns[ALIAS_VECTOR]
                branches.append(
                    (number, PG_NAME_WEIGHTS[ALIAS_VECTOR], 0.0, condition, "NULL", [query])
                )
        return [
            (
                number,
                weight,
                named_weight,
                f"SELECT {index}, string_agg(id::text, ','), {named} "  # noqa: S608
                f"FROM {VECTOR_TABLE} WHERE {where}",
                params,
            )
            for index, (number, weight, named_weight, where, named, params) in enumerate(branches)
        ]

    @staticmethod
    def _pg_every_term(cursor, expression: PgQuery):
        """_matches for several terms (every one needed): one bitmap scan of every term's
        conditions ANDed, so the heap is visited for the rows matching every term only
        (BitmapAnd of the GIN indexes; 新材料 制备方法: 1,245 rows instead of six scans of
        4,000–15,000), and the name matches of each term are the same rows filtered in-row.
        An alias condition's recheck may read the body vectors of those rows: few, since
        they match every term."""
        per_term: dict[int, list[tuple[str, str, str]]] = {}
        for number, column, condition, query in expression.branches:
            per_term.setdefault(number, []).append((column, condition, query))
        names = [
            (column, condition, query)
            for items in per_term.values()
            for column, condition, query in items
            if PG_NAME_WEIGHTS[column]
        ]
        columns = ["string_agg(id::text, ',')"] + [
            f"string_agg(id::text, ',') FILTER (WHERE {condition})" for _c, condition, _q in names
        ]
        where = " AND ".join(
            "(" + " OR ".join(condition for _c, condition, _q in items) + ")"
            for items in per_term.values()
        )
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {VECTOR_TABLE} WHERE {where}",  # noqa: S608
            [query for *_rest, query in names]
            + [query for items in per_term.values() for *_rest, query in items],
        )
        every, *name_ids = cursor.fetchone()
        if not every:
            return np.zeros(0, np.int64), np.zeros(0)
        ids = np.sort(np.fromstring(every, dtype=np.int64, sep=","))
        weights = np.zeros(len(ids))
        for (column, *_rest), text in zip(names, name_ids, strict=True):
            if text:
                found = np.fromstring(text, dtype=np.int64, sep=",")
                weights[np.isin(ids, found, assume_unique=True)] += PG_NAME_WEIGHTS[column]
        return ids, weights

    def _expression(self, parsed: ParsedQuery, relaxed: bool, fields=None) -> str | PgQuery | None:
        if connection.vendor == "postgresql":
            return self._pg_expression(parsed, relaxed, fields)
        return self._fts5_expression(parsed, relaxed, fields)

    def search(
        self, parsed: ParsedQuery, request: SearchRequest, relaxed: bool = False
    ) -> SearchResult:
        arrays = self.arrays
        expression = None if parsed.empty else self._expression(parsed, relaxed)
        key = self._matches_key(parsed, relaxed, expression) if expression else None
        # A query needing no full-text statement — an empty one, one no term can match, one
        # whose matches (and, if its page needs them, scores) this process keeps — is
        # answered from the facet arrays as they are, and one statement reads the index's
        # stamp with the page's rows: if the stamp is the one the arrays and the kept
        # matches were read at, that is the answer (one round trip, no transaction).
        state = arrays.state
        if state is not None:
            kept = None if key is None else self.kept.get(state, key)
            if key is None or kept is not None:
                answer = self._choose(arrays, request, parsed.empty, kept)
                if answer is not None:
                    with connection.cursor() as cursor:
                        read, hits = self._stamp_and_hits(cursor, answer[2])
                    if read == state:
                        return self._result(arrays, request, answer, hits)
        # Otherwise the stamp first (bringing the arrays up to date), then the full-text
        # statements on PostgreSQL in a transaction with the index-scan settings.
        scanning = key is not None
        with _index_scans(set_here=False, needed=scanning) as cursor:
            # the first statement: it also turns the sequential scans off when scanning
            state = arrays.sync(cursor, scans=scanning)
            matches = None
            if key is not None:
                matches = self.kept.get(state, key)
                if matches is None:
                    matches = Matches(*self._matches(cursor, parsed, relaxed, expression))
                    self.kept.put(state, key, matches)
            answer = self._choose(arrays, request, parsed.empty, matches)
            if answer is None:  # a narrow query ranked by the database's scores
                if connection.vendor == "postgresql":
                    fields = (TITLE, PINYIN, INITIALS, CODES)
                    scoring = self._expression(parsed, relaxed, fields)
                else:
                    scoring = expression
                matches.scored = self._scored(cursor, scoring)
                self.kept.put(state, key, matches)
                answer = self._choose(arrays, request, parsed.empty, matches)
            hits = self._hits(cursor, answer[2])
        return self._result(arrays, request, answer, hits)

    def _choose(self, arrays: FacetArrays, request: SearchRequest, empty: bool, matches):
        """(the rows matched, those the filters chose, the page's row ids) of a search whose
        matches are known (None: every row if the query is empty, else none); None when the
        page is ranked by scores the database has not given yet."""
        wanted = request.offset + request.page_size
        # The database ranks a narrow query: SQLite every match (bm25), PostgreSQL the name
        # matches (ts_rank over the in-row title and alias vectors; over the body it
        # detoasts and decompresses every body vector), body-only matches following newest
        # first. A wide one is ranked here (RANK_ALL).
        by_score = False
        if matches is not None and request.sort not in ("newest", "price"):
            postgres = connection.vendor == "postgresql"
            ranked = np.count_nonzero(matches.names) if postgres else len(matches.ids)
            by_score = 0 < ranked <= RANK_ALL
            if by_score and matches.scored is None:
                return None
        selected = arrays.selected(request.filters)
        if matches is None:
            matched = arrays.alive if empty else arrays.mask(np.zeros(0, np.int64))
        else:
            matched = arrays.mask(matches.ids)
        chosen = matched if selected is None else matched & selected
        if matches is None or request.sort in ("newest", "price"):
            page = self._in_order(arrays, request.sort, chosen, wanted)
        elif by_score:
            page = self._ranked(arrays, matches.scored, chosen, wanted)
            if len(page) < wanted:
                rest = chosen.copy()
                rest[page] = False
                page += self._in_order(arrays, "newest", rest, wanted - len(page))
        else:
            page = self._by_names(arrays, matches.ids, matches.names, chosen, wanted)
        return matched, chosen, page[request.offset : wanted]

    def _result(self, arrays: FacetArrays, request: SearchRequest, answer, hits) -> SearchResult:
        matched, chosen, _page = answer
        count = int(np.count_nonzero(chosen))
        facets = arrays.counts(matched, request.filters)
        return SearchResult(count=count, hits=hits, facets=facets, engine=self.name)

    def _matches_key(self, parsed: ParsedQuery, relaxed: bool, expression) -> tuple:
        """What the full-text statements of a query depend on (KeptMatches): on PostgreSQL
        each term's condition per vector (the ranking's conditions are those on the title
        and the alias), on SQLite the FTS5 queries of the id collection and of the ranking."""
        if connection.vendor == "postgresql":
            return ("postgresql", relaxed, expression.terms, expression.branches)
        branches = self._fts5_branches(parsed, relaxed)
        return ("sqlite", relaxed, expression, tuple(branches or ()))

    @staticmethod
    def _by_names(
        arrays: FacetArrays, ids: np.ndarray, names: np.ndarray, chosen: np.ndarray, wanted: int
    ) -> list:
        """The first `wanted` chosen rows of a wide match, without the database's ranking:
        most name-field weight first (NAME_WEIGHTS), then the shorter title (the query is
        more of it), then newest; body-only matches newest first. One integer key per row
        and a partial sort: 1–3 ms for 40,000 matches."""
        keep = ids < arrays.size
        ids, names = ids[keep], names[keep]
        keep = chosen[ids]
        ids, names = ids[keep], names[keep]
        if not len(ids):
            return []
        lengths = np.where(names > 0, np.minimum(arrays.title_lengths[ids], 1023), 0)
        newest = np.minimum(arrays.position("newest")[ids], (1 << 32) - 1)
        key = -np.round(names * 10).astype(np.int64) * (1 << 42) + lengths * (1 << 32) + newest
        if len(key) > wanted:
            part = np.argpartition(key, wanted - 1)[:wanted]
            ids, key = ids[part], key[part]
        return ids[np.argsort(key, kind="stable")].tolist()

    @staticmethod
    def _in_order(arrays: FacetArrays, sort: str, chosen: np.ndarray, wanted: int) -> list:
        """The first `wanted` chosen rows in a score-less order (newest or price)."""
        candidates = np.flatnonzero(chosen)
        if not len(candidates):
            return []
        position = arrays.position("price" if sort == "price" else "newest")[candidates]
        if len(candidates) > wanted:
            keep = np.argpartition(position, wanted - 1)[:wanted]
            candidates, position = candidates[keep], position[keep]
        return candidates[np.argsort(position, kind="stable")].tolist()

    @staticmethod
    def _ranked(arrays: FacetArrays, rows: list, chosen: np.ndarray, wanted: int) -> list:
        """The first `wanted` chosen rows by score, ties newest first then by key (the same
        order Elasticsearch uses)."""
        if not rows:
            return []
        scores = np.array([score for score, _id in rows], dtype=np.float64)
        ids = np.array([row_id for _score, row_id in rows], dtype=np.int64)
        keep = ids < arrays.size
        scores, ids = scores[keep], ids[keep]
        keep = chosen[ids]
        scores, ids = scores[keep], ids[keep]
        order = np.lexsort((arrays.position("newest")[ids], scores))
        return ids[order[:wanted]].tolist()

    HIT_COLUMNS = "id, key, kind, code, title, url, text, details"

    @classmethod
    def _hits(cls, cursor, ids: list[int]) -> list[Hit]:
        if not ids:
            return []
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT {cls.HIT_COLUMNS} "  # noqa: S608
            f"FROM {SearchDocument._meta.db_table} WHERE id IN ({marks})",
            ids,
        )
        return cls._hits_in_order(cursor.fetchall(), ids)

    @classmethod
    def _stamp_and_hits(cls, cursor, ids: list[int]) -> tuple:
        """The index's stamp and the rows of these ids, in one statement (and snapshot)."""
        state = SearchIndexState._meta.db_table
        stamp = f"SELECT (SELECT stamp FROM {state} LIMIT 1) AS stamp"  # noqa: S608
        if not ids:
            cursor.execute(stamp)
            return cursor.fetchone()[0], []
        columns = ", ".join(f"d.{column}" for column in cls.HIT_COLUMNS.split(", "))
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT s.stamp, {columns} FROM ({stamp}) s "  # noqa: S608
            f"LEFT JOIN {SearchDocument._meta.db_table} d ON d.id IN ({marks})",
            ids,
        )
        rows = cursor.fetchall()
        found = [row[1:] for row in rows if row[1] is not None]
        return rows[0][0], cls._hits_in_order(found, ids)

    @staticmethod
    def _hits_in_order(rows, ids: list[int]) -> list[Hit]:
        found = {}
        details_field = SearchDocument._meta.get_field("details")
        for row_id, key, kind, code, title, url, text, details in rows:
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
            lexemes = [f"'{db_token(t)}'" for t in grams]
            if prefix:
                lexemes[-1] = f"'{db_token(grams[-1])}':*"
            parts.append(
                f"SELECT id FROM (SELECT id FROM {VECTOR_TABLE} WHERE {TITLE_VECTOR} @@ "  # noqa: S608
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


@contextlib.contextmanager
def _index_scans(set_here: bool = True, needed: bool = True):
    """A cursor for the statements of one search. On PostgreSQL they run in a transaction
    with `enable_seqscan` off: for a wide match (检测, 40% of the rows) the planner estimates
    that reading the whole table is cheaper than the bitmap of the GIN indexes and then
    evaluates every vector of every row — ten times slower than the bitmap, which for a
    one-token term needs no recheck at all (docs/performance.md, "Search on PostgreSQL").
    And without parallel workers: the id collection (a UNION ALL of bitmap scans) was
    planned as a Gather over a Parallel Append, and starting and waiting for two workers
    took 70 ms of a statement whose own work was 2 ms (sanqi, at a load of 7). `needed`
    False: the search sends no full-text statement (an empty query, or matches kept in
    this process), so a plain cursor, without the transaction's two round trips."""
    if connection.vendor != "postgresql" or not needed:
        with connection.cursor() as cursor:
            yield cursor
        return
    # savepoint=False: inside a caller's transaction this adds no savepoint round trips
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if set_here:  # otherwise the caller's first statement does (FacetArrays.sync)
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield cursor


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
