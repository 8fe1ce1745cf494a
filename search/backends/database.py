"""The embedded engine: full text in the application's own database.

SQLite uses an FTS5 table kept in step with SearchDocument by triggers; PostgreSQL uses a GIN
index over tsvectors with the `simple` configuration (weights A title, B body, C pinyin,
D initials). Both only split the stored token streams on whitespace: analysis happened in
search.analysis, and CJK tokens are spelled in ASCII letters (db_token) so neither database's
parser, locale or FTS query syntax can reinterpret them — no query text reaches SQL unquoted.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q

from ..analysis import BODY, INITIALS, PINYIN, TITLE, ParsedQuery, Phrase, is_cjk, normalize
from ..documents import Document
from ..facets import FACET_NAMES, FACET_SIZE
from ..models import SearchDocument, SearchFacet
from ..query import Hit, SearchRequest, SearchResult

FTS_TABLE = "site_search_fts"
# Relative importance of a match in each stream, shared with the Elasticsearch engine.
FIELD_WEIGHTS = {TITLE: 10.0, BODY: 1.0, PINYIN: 5.0, INITIALS: 3.0}
FTS_COLUMNS = {TITLE: "title_tokens", BODY: "body_tokens", PINYIN: "pinyin", INITIALS: "initials"}
PG_WEIGHT_LETTER = {TITLE: "A", BODY: "B", PINYIN: "C", INITIALS: "D"}
PG_VECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_tokens), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, pinyin), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, initials), 'D'))"
)
# ts_rank's weights are listed {D, C, B, A}; scaled like FIELD_WEIGHTS.
PG_RANK_WEIGHTS = "{0.3, 0.5, 0.1, 1.0}"

_LETTERS = "abcdefghijklmnop"


def db_token(token: str) -> str:
    """A token as the database indexes it: ASCII as is, a CJK character as "zq" + its code
    point in letters (电 → zqgfcfe), a plain word to every full-text parser."""
    if is_cjk(token):
        return "zq" + "".join(_LETTERS[int(digit, 16)] for digit in f"{ord(token):04x}")
    return token


def db_stream(tokens: Iterable[str]) -> str:
    return " ".join(db_token(token) for token in tokens)


def compact(text_tokens: list[str]) -> str:
    return "".join(text_tokens)


def document_row(document: Document) -> SearchDocument:
    syllables, initials = document.pinyin
    return SearchDocument(
        key=document.key,
        kind=document.kind,
        code=document.code[:80],
        title=document.title[:300],
        url=document.url[:500],
        text=document.text[:4000],
        title_tokens=db_stream(document.title_tokens),
        body_tokens=db_stream(document.body_tokens[:20000]),
        pinyin=" ".join(syllables),
        initials=" ".join(initials),
        title_pinyin="".join(syllables)[:600],
        title_initials="".join(initials)[:300],
        date=document.date,
        price=document.price,
    )


def facet_rows(document: Document, row: SearchDocument) -> list[SearchFacet]:
    values = {("kind", document.kind)}
    for name, items in document.facets.items():
        values.update((name, str(value)[:80]) for value in items if value not in (None, ""))
    return [SearchFacet(document=row, name=name, value=value) for name, value in sorted(values)]


class DatabaseEngine:
    """Full text in the application's own database: nothing to install."""

    name = "database"

    def status(self) -> dict:
        return {"engine": self.name, "database": connection.vendor, "ok": True}

    # --- indexing -----------------------------------------------------------------------

    def apply(self, documents: dict[str, Document | None]) -> None:
        """Bring the rows of these keys in line with their documents (None = remove)."""
        if not documents:
            return
        with transaction.atomic():
            SearchDocument.objects.filter(key__in=list(documents)).delete()
            self._insert([doc for doc in documents.values() if doc is not None])

    def _insert(self, documents: list[Document]) -> None:
        rows = SearchDocument.objects.bulk_create([document_row(doc) for doc in documents])
        facets = [
            facet
            for doc, row in zip(documents, rows, strict=True)
            for facet in facet_rows(doc, row)
        ]
        SearchFacet.objects.bulk_create(facets, batch_size=1000)

    def clear(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {SearchFacet._meta.db_table}")  # noqa: S608
            cursor.execute(f"DELETE FROM {SearchDocument._meta.db_table}")  # noqa: S608

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
        return count

    def document_count(self) -> int:
        return SearchDocument.objects.count()

    # --- querying -----------------------------------------------------------------------

    def _fts5_expression(self, parsed: ParsedQuery) -> str:
        def phrase(alt: Phrase) -> str:
            columns = " ".join(FTS_COLUMNS[f] for f in alt.fields)
            body = '"' + " ".join(db_token(t) for t in alt.tokens) + '"'
            return f"{{{columns}}} : {body}" + (" *" if alt.prefix else "")

        terms = [
            "(" + " OR ".join(phrase(alt) for alt in term.alternatives) + ")"
            for term in parsed.terms
        ]
        return terms

    def _pg_expression(self, parsed: ParsedQuery) -> list[str]:
        def phrase(alt: Phrase) -> str:
            weights = "".join(PG_WEIGHT_LETTER[f] for f in alt.fields)
            lexemes = [f"'{db_token(t)}':{weights}" for t in alt.tokens]
            if alt.prefix:
                lexemes[-1] = f"'{db_token(alt.tokens[-1])}':*{weights}"
            return "(" + " <-> ".join(lexemes) + ")"

        return [
            "(" + " | ".join(phrase(alt) for alt in term.alternatives) + ")"
            for term in parsed.terms
        ]

    def _matched(self, parsed: ParsedQuery, relaxed: bool) -> tuple[str, list]:
        """SQL for (id, score) of the matching documents; lower score ranks first."""
        table = SearchDocument._meta.db_table
        if parsed.empty:
            return f"SELECT id, 0.0 AS score FROM {table}", []  # noqa: S608
        joiner = " OR " if relaxed else " AND "
        if connection.vendor == "postgresql":
            expression = (" | " if relaxed else " & ").join(self._pg_expression(parsed))
            return (
                f"SELECT id, -ts_rank('{PG_RANK_WEIGHTS}'::float4[], {PG_VECTOR}, "  # noqa: S608
                f"to_tsquery('simple'::regconfig, %s), 1) AS score FROM {table} "
                f"WHERE {PG_VECTOR} @@ to_tsquery('simple'::regconfig, %s)",
                [expression, expression],
            )
        expression = joiner.join(self._fts5_expression(parsed))
        weights = ", ".join(str(FIELD_WEIGHTS[f]) for f in (TITLE, BODY, PINYIN, INITIALS))
        return (
            f"SELECT rowid AS id, bm25({FTS_TABLE}, {weights}) AS score "  # noqa: S608
            f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",
            [expression],
        )

    @staticmethod
    def _filters_sql(filters: dict[str, list[str]], skip: str | None = None) -> tuple[str, list]:
        facet_table = SearchFacet._meta.db_table
        clauses, params = [], []
        for name, values in sorted(filters.items()):
            if name == skip:
                continue
            marks = ", ".join(["%s"] * len(values))
            clauses.append(
                f"m.id IN (SELECT document_id FROM {facet_table} "  # noqa: S608
                f"WHERE name = %s AND value IN ({marks}))"
            )
            params.extend([name, *values])
        return (" AND ".join(clauses) or "1=1"), params

    def _order(self, sort: str) -> str:
        key = 'd."key" COLLATE "C"' if connection.vendor == "postgresql" else 'd."key"'
        if sort == "newest":
            return f"d.date DESC NULLS LAST, {key}"
        if sort == "price":
            return f"d.price ASC NULLS LAST, {key}"
        return f"m.score ASC, d.date DESC NULLS LAST, {key}"

    def search(
        self, parsed: ParsedQuery, request: SearchRequest, relaxed: bool = False
    ) -> SearchResult:
        matched, match_params = self._matched(parsed, relaxed)
        doc_table, facet_table = SearchDocument._meta.db_table, SearchFacet._meta.db_table
        where, where_params = self._filters_sql(request.filters)
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH m AS MATERIALIZED ({matched}) SELECT COUNT(*) FROM m WHERE {where}",  # noqa: S608
                [*match_params, *where_params],
            )
            count = cursor.fetchone()[0]
            hits: list[Hit] = []
            if count and request.offset < count:
                cursor.execute(
                    f"WITH m AS MATERIALIZED ({matched}) SELECT d.key, d.kind, d.code, d.title, d.url, d.text "  # noqa: S608
                    f"FROM m JOIN {doc_table} d ON d.id = m.id WHERE {where} "
                    f"ORDER BY {self._order(request.sort)} LIMIT %s OFFSET %s",
                    [*match_params, *where_params, request.page_size, request.offset],
                )
                hits = [Hit(*row) for row in cursor.fetchall()]
            # Facet counts: each facet counts under every filter but its own, so choosing a
            # value still shows what the other values of that facet would give.
            parts, params = [], []
            plain = [name for name in FACET_NAMES if name not in request.filters]
            names = ", ".join(["%s"] * len(plain))
            parts.append(
                f"SELECT f.name, f.value, COUNT(*) FROM m JOIN {facet_table} f ON f.document_id = m.id "  # noqa: S608
                f"WHERE {where} AND f.name IN ({names}) GROUP BY f.name, f.value"
            )
            params.extend([*where_params, *plain])
            for name in sorted(request.filters):
                own_where, own_params = self._filters_sql(request.filters, skip=name)
                parts.append(
                    f"SELECT f.name, f.value, COUNT(*) FROM m JOIN {facet_table} f "  # noqa: S608
                    f"ON f.document_id = m.id WHERE {own_where} AND f.name = %s "
                    "GROUP BY f.name, f.value"
                )
                params.extend([*own_params, name])
            cursor.execute(
                f"WITH m AS MATERIALIZED ({matched}) " + " UNION ALL ".join(parts),
                [*match_params, *params],
            )
            facets = collect_facets(cursor.fetchall())
        return SearchResult(count=count, hits=hits, facets=facets, engine=self.name)

    def suggest(self, text: str, limit: int = 8) -> list[str]:
        """Titles containing the typed text, or whose pinyin or initials start with it."""
        typed = normalize(text).strip()
        if not typed:
            return []
        letters = "".join(ch for ch in typed if ch.isascii() and ch.isalnum())
        condition = Q(title__icontains=typed[:50])
        if letters and letters == typed.replace(" ", "") and len(letters) >= 1:
            condition |= Q(title_pinyin__startswith=letters[:60]) | Q(
                title_initials__startswith=letters[:30]
            )
        titles = (
            SearchDocument.objects.filter(condition)
            .order_by("title")
            .values_list("title", flat=True)
            .distinct()[: limit * 3]
        )
        return rank_suggestions(list(titles), typed, limit)


def rank_suggestions(titles: list[str], typed: str, limit: int) -> list[str]:
    """Shortest titles that start with the text first, then the rest, without duplicates."""
    seen: dict[str, None] = {}
    for title in sorted(titles, key=lambda t: (not normalize(t).startswith(typed), len(t), t)):
        seen.setdefault(title, None)
    return list(seen)[:limit]


def collect_facets(rows: Iterable[tuple[str, str, int]]) -> dict[str, list[tuple[str, int]]]:
    """{name: [(value, count)]}: every facet name present, most frequent first, then by value."""
    facets: dict[str, list[tuple[str, int]]] = {name: [] for name in FACET_NAMES}
    for name, value, count in rows:
        if name in facets and count:
            facets[name].append((value, int(count)))
    return {
        name: sorted(values, key=lambda item: (-item[1], item[0]))[:FACET_SIZE]
        for name, values in facets.items()
    }
