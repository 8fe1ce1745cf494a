"""The Elasticsearch engine: the same documents, tokens, query and facets as the database one.

DSL package: `elasticsearch.dsl`, shipped inside the pinned official client (8.19). Elastic
merged elasticsearch-dsl into the client in 8.18 and the separate `elasticsearch_dsl`
distribution is now only a compatibility shim that re-exports it, so importing from the
client keeps one dependency and one version to upgrade.

One index for all five kinds, with a `kind` keyword: a search across kinds is one request,
facet counts (kind included) come from one set of aggregations with exact totals, and a
rebuild swaps a single alias. Per-kind indices would mean multi-index queries whose scores
use different term statistics, and five aliases to swap. The index has one shard, so term
statistics and facet counts are exact and match the database engine.

Only core analysis is used — `whitespace` over token streams that search.analysis produced —
because the node in CI is the bare integ-test build without analysis-common.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.utils import timezone

from ..analysis import (
    BODY,
    CODES,
    INITIALS,
    PINYIN,
    TITLE,
    ParsedQuery,
    Phrase,
    index_tokens,
    normalize,
    query_tokens,
)
from ..documents import Document
from ..facets import FACET_NAMES, FACET_SIZE
from ..query import Hit, SearchRequest, SearchResult, SearchUnavailable
from .database import FIELD_WEIGHTS, collect_facets, rank_suggestions

logger = logging.getLogger("search")

FIELDS = {
    TITLE: "title_tokens",
    BODY: "body_tokens",
    PINYIN: "pinyin",
    INITIALS: "initials",
    CODES: "codes",
}
_TOKENS = {"type": "text", "analyzer": "whitespace", "norms": True}

MAPPING = {
    "dynamic": "strict",
    "properties": {
        "key": {"type": "keyword"},
        "kind": {"type": "keyword"},
        "code": {"type": "keyword"},
        "title": {"type": "keyword", "index": False},
        "url": {"type": "keyword", "index": False},
        "text": {"type": "text", "index": False},
        "title_tokens": _TOKENS,
        "body_tokens": _TOKENS,
        "pinyin": _TOKENS,
        "initials": _TOKENS,
        "codes": _TOKENS,
        "details": {"type": "object", "enabled": False},
        "title_pinyin": {"type": "keyword"},
        "title_initials": {"type": "keyword"},
        "date": {"type": "date"},
        "price": {"type": "double"},
        "facets": {
            "properties": {name: {"type": "keyword"} for name in FACET_NAMES},
        },
    },
}
SETTINGS = {"number_of_shards": 1, "number_of_replicas": 0}


def es_document(document: Document) -> dict:
    syllables, initials = document.pinyin
    stream, _initials = document.pinyin_stream
    facets = {
        name: [str(v) for v in values if v not in (None, "")]
        for name, values in document.facets.items()
    }
    facets["kind"] = [document.kind]
    return {
        "key": document.key,
        "kind": document.kind,
        "code": document.code,
        "title": document.title,
        "url": document.url,
        "text": document.text[:4000],
        "title_tokens": " ".join(index_tokens(document.title_tokens)),
        "body_tokens": " ".join(index_tokens(document.body_tokens[:20000])),
        "pinyin": " ".join(stream),
        "initials": " ".join(initials),
        "codes": " ".join(index_tokens(document.code_tokens)),
        "details": document.details,
        "title_pinyin": "".join(syllables)[:600],
        "title_initials": "".join(initials)[:300],
        "date": document.date.isoformat() if document.date else None,
        "price": float(document.price) if document.price is not None else None,
        "facets": facets,
    }


class ElasticsearchEngine:
    """A real Elasticsearch node or cluster, reached through the official 8.x client.

    When the server cannot answer, searches are answered by `fallback` (the database engine)
    and the engine stays "open" for `cooldown` seconds, so a dead server costs one timeout,
    not one per request; /healthz reports the degradation meanwhile.
    """

    name = "elasticsearch"
    cooldown = 30.0

    def __init__(self, url: str, timeout: int, prefix: str = "shuangchuang", fallback=None) -> None:
        self.url = url
        self.timeout = timeout
        self.alias = f"{prefix}-documents"
        self.fallback = fallback
        self._down_until = 0.0
        self._last_error = ""
        self._client = None

    @property
    def client(self):
        from elasticsearch import Elasticsearch

        if self._client is None:
            self._client = Elasticsearch(self.url, request_timeout=self.timeout, max_retries=0)
        return self._client

    # --- availability -------------------------------------------------------------------

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _failed(self, error: Exception) -> SearchUnavailable:
        self._down_until = time.monotonic() + self.cooldown
        self._last_error = f"{type(error).__name__}: {error}"[:300]
        return SearchUnavailable(self._last_error)

    def _call(self, method, *args, **kwargs):
        from elasticsearch import ApiError, TransportError

        if self.is_down:
            raise SearchUnavailable(self._last_error or "elasticsearch marked down")
        try:
            result = method(*args, **kwargs)
        except ApiError as error:
            if isinstance(error.status_code, int) and error.status_code < 500:
                # the server answered: a request problem, not an outage
                raise SearchUnavailable(f"{type(error).__name__}: {error}"[:300]) from error
            raise self._failed(error) from error
        except (TransportError, OSError) as error:
            raise self._failed(error) from error
        return result

    def status(self) -> dict:
        detail = {"engine": self.name}
        try:
            health = self._call(self.client.cluster.health, timeout=f"{self.timeout}s")
        except SearchUnavailable as error:
            return {**detail, "ok": False, "fallback": "database", "error": str(error)}
        cluster_status = health.get("status")
        return {
            **detail,
            "cluster_status": cluster_status,
            "ok": cluster_status in {"green", "yellow"},
        }

    # --- indexing -----------------------------------------------------------------------

    def new_index_name(self) -> str:
        return f"{self.alias}-{timezone.now():%Y%m%d%H%M%S%f}"

    def create_index(self, name: str) -> None:
        self._call(self.client.indices.create, index=name, settings=SETTINGS, mappings=MAPPING)

    def ensure_index(self) -> None:
        if not self._call(self.client.indices.exists_alias, name=self.alias):
            name = self.new_index_name()
            self.create_index(name)
            self._call(self.client.indices.put_alias, index=name, name=self.alias)

    def _bulk(self, actions: list[dict], refresh: bool = False, index: str | None = None) -> None:
        from elasticsearch import helpers

        if not actions:
            return
        target = index or self.alias
        for action in actions:
            action["_index"] = target
        try:
            _ok, errors = self._call(
                helpers.bulk, self.client, actions, raise_on_error=False, refresh=refresh
            )
        except SearchUnavailable:
            raise
        except Exception as error:  # noqa: BLE001 — bulk helper errors are transport problems
            raise self._failed(error) from error
        real = [e for e in errors if not ("delete" in e and e["delete"].get("status") == 404)]
        if real:
            raise SearchUnavailable(f"bulk indexing failed: {str(real[0])[:300]}")

    def apply(self, documents: dict[str, Document | None], refresh: bool = False) -> None:
        self.apply_sources(
            {key: None if doc is None else es_document(doc) for key, doc in documents.items()},
            refresh=refresh,
        )

    def apply_sources(self, sources: dict[str, dict | None], refresh: bool = False) -> None:
        """`apply` for documents already turned into their sources (`es_document`)."""
        self.ensure_index()
        actions = []
        for key, source in sources.items():
            if source is None:
                actions.append({"_op_type": "delete", "_id": key})
            else:
                actions.append({"_op_type": "index", "_id": key, "_source": source})
        self._bulk(actions, refresh=refresh)

    def rebuild(self, documents: Iterable[Document], progress=None, batch_size: int = 500) -> int:
        """Fill a new index, then swap the alias in one atomic step: searches never see a
        half-built index, and the old one is dropped only after the swap."""
        name = self.new_index_name()
        self.create_index(name)
        count, batch = 0, []
        try:
            for document in documents:
                batch.append(
                    {"_op_type": "index", "_id": document.key, "_source": es_document(document)}
                )
                if len(batch) >= batch_size:
                    self._bulk(batch, index=name)
                    count += len(batch)
                    if progress:
                        progress(len(batch))
                    batch = []
            self._bulk(batch, index=name)
            count += len(batch)
            if progress and batch:
                progress(len(batch))
            self._call(self.client.indices.refresh, index=name)
        except Exception:
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        old = []
        if self._call(self.client.indices.exists_alias, name=self.alias):
            old = list(self._call(self.client.indices.get_alias, name=self.alias).body)
        actions = [{"remove": {"index": index, "alias": self.alias}} for index in old]
        actions.append({"add": {"index": name, "alias": self.alias}})
        self._call(self.client.indices.update_aliases, actions=actions)
        for index in old:
            self._call(self.client.indices.delete, index=index, ignore_unavailable=True)
        return count

    def drop(self) -> None:
        """Remove the alias and every index behind it (tests, teardown)."""
        indices = self.client.indices
        if indices.exists_alias(name=self.alias):
            for index in list(indices.get_alias(name=self.alias).body):
                indices.delete(index=index, ignore_unavailable=True)

    def refresh(self) -> None:
        self._call(self.client.indices.refresh, index=self.alias)

    def document_count(self) -> int:
        return int(self._call(self.client.count, index=self.alias)["count"])

    # --- querying -----------------------------------------------------------------------

    @staticmethod
    def _phrase(alt: Phrase):
        from elasticsearch.dsl import Q

        grams, prefix = query_tokens(alt.tokens, alt.prefix)
        text = " ".join(grams)
        if prefix and len(grams) == 1:
            # every token that starts so (a lone CJK character begins its bigrams)
            return [
                Q("prefix", **{FIELDS[f]: {"value": text, "boost": FIELD_WEIGHTS[f]}})
                for f in alt.fields
            ]
        if prefix:
            return [
                Q(
                    "match_phrase_prefix",
                    **{
                        FIELDS[f]: {"query": text, "boost": FIELD_WEIGHTS[f], "max_expansions": 500}
                    },
                )
                for f in alt.fields
            ]
        return [
            Q("match_phrase", **{FIELDS[f]: {"query": text, "boost": FIELD_WEIGHTS[f]}})
            for f in alt.fields
        ]

    def build_query(self, parsed: ParsedQuery, relaxed: bool):
        from elasticsearch.dsl import Q

        if parsed.empty:
            return Q("match_all")
        terms = [
            Q(
                "bool",
                should=[c for alt in term.alternatives for c in self._phrase(alt)],
                minimum_should_match=1,
            )
            for term in parsed.terms
        ]
        if relaxed:
            return Q("bool", should=terms, minimum_should_match=1)
        return Q("bool", must=terms)

    @staticmethod
    def _filter(filters: dict[str, list[str]], skip: str | None = None) -> list:
        from elasticsearch.dsl import Q

        return [
            Q("terms", **{f"facets.{name}": values})
            for name, values in sorted(filters.items())
            if name != skip
        ]

    def _sort(self, sort: str) -> list:
        if sort == "newest":
            return [{"date": {"order": "desc", "missing": "_last"}}, {"key": "asc"}]
        if sort == "price":
            return [{"price": {"order": "asc", "missing": "_last"}}, {"key": "asc"}]
        return ["_score", {"date": {"order": "desc", "missing": "_last"}}, {"key": "asc"}]

    def search(
        self, parsed: ParsedQuery, request: SearchRequest, relaxed: bool = False
    ) -> SearchResult:
        try:
            return self._search(parsed, request, relaxed)
        except SearchUnavailable as error:
            if self.fallback is None:
                raise
            logger.warning(
                "search: elasticsearch unavailable, answering from the database: %s", error
            )
            result = self.fallback.search(parsed, request, relaxed)
            result.engine = f"{self.fallback.name} (fallback)"
            return result

    def build_search(self, parsed: ParsedQuery, request: SearchRequest, relaxed: bool = False):
        """The request as an elasticsearch-dsl Search: query, sort, page, post filter and the
        disjunctive facet aggregations (each facet filtered by every filter but its own)."""
        from elasticsearch.dsl import A, Q, Search

        search = Search(using=self.client, index=self.alias).query(
            self.build_query(parsed, relaxed)
        )
        search = search.extra(track_total_hits=True, from_=request.offset, size=request.page_size)
        search = search.sort(*self._sort(request.sort)).source(
            ["kind", "code", "title", "url", "text", "details"]
        )
        if request.filters:
            search = search.post_filter(Q("bool", filter=self._filter(request.filters)))
        plain = [name for name in FACET_NAMES if name not in request.filters]
        # facets without a filter of their own share one pass over the filtered hits
        terms = {
            name: A(
                "terms",
                field=f"facets.{name}",
                size=FACET_SIZE,
                order=[{"_count": "desc"}, {"_key": "asc"}],
            )
            for name in plain
        }
        if request.filters:
            shared = A("filter", Q("bool", filter=self._filter(request.filters)))
            for name, aggregation in terms.items():
                shared.bucket(name, aggregation)
            search.aggs.bucket("filtered", shared)
        else:
            for name, aggregation in terms.items():
                search.aggs.bucket(name, aggregation)
        for name in request.filters:
            own = self._filter(request.filters, skip=name)
            bucket = A("filter", Q("bool", filter=own)) if own else A("filter", Q("match_all"))
            bucket.bucket(
                "values",
                A(
                    "terms",
                    field=f"facets.{name}",
                    size=FACET_SIZE,
                    order=[{"_count": "desc"}, {"_key": "asc"}],
                ),
            )
            search.aggs.bucket(name, bucket)
        return search

    @staticmethod
    def request_body(search) -> dict:
        """Keyword arguments for the client's search(): the Search's body, sent as is."""
        body = search.to_dict()
        if "from" in body:
            body["from_"] = body.pop("from")
        return body

    def _search(self, parsed: ParsedQuery, request: SearchRequest, relaxed: bool) -> SearchResult:
        from elasticsearch import NotFoundError

        search = self.build_search(parsed, request, relaxed)
        try:
            # the raw client and the plain response dict: the DSL's response wrappers cost
            # more than the round trip at this size (docs/performance.md)
            response = self._call(
                self.client.search, index=self.alias, **self.request_body(search)
            ).body
        except SearchUnavailable as error:
            if isinstance(error.__cause__, NotFoundError):
                # no index yet (fresh install): that is "nothing indexed", not "server down"
                return SearchResult(0, [], {name: [] for name in FACET_NAMES}, engine=self.name)
            raise
        hits = []
        for hit in response["hits"]["hits"]:
            source = hit["_source"]
            hits.append(
                Hit(
                    hit["_id"],
                    source["kind"],
                    source["code"],
                    source["title"],
                    source["url"],
                    source.get("text") or "",
                    details=source.get("details") or {},
                )
            )
        aggregations = response.get("aggregations", {})
        shared = aggregations.get("filtered", {})
        rows = []
        for name in FACET_NAMES:
            aggregation = aggregations.get(name) or shared.get(name, {})
            buckets = aggregation.get("values", aggregation).get("buckets", [])
            rows.extend((name, bucket["key"], bucket["doc_count"]) for bucket in buckets)
        return SearchResult(
            count=response["hits"]["total"]["value"],
            hits=hits,
            facets=collect_facets(rows),
            engine=self.name,
        )

    def suggest(self, text: str, limit: int = 8) -> list[str]:
        try:
            return self._suggest(text, limit)
        except SearchUnavailable as error:
            if self.fallback is None:
                raise
            logger.warning("search: elasticsearch unavailable for suggestions: %s", error)
            return self.fallback.suggest(text, limit)

    def _suggest(self, text: str, limit: int) -> list[str]:
        from elasticsearch import NotFoundError
        from elasticsearch.dsl import Q, Search

        from ..analysis import tokens

        typed = normalize(text).strip()
        typed_tokens = tokens(typed)
        if not typed_tokens:
            return []
        # the typed text as a phrase of the title, its last character a prefix
        should = self._phrase(Phrase(tuple(typed_tokens), fields=(TITLE,)))
        letters = "".join(ch for ch in typed if ch.isascii() and ch.isalnum())
        if letters and letters == typed.replace(" ", ""):
            should += [
                Q("prefix", title_pinyin=letters[:60]),
                Q("prefix", title_initials=letters[:30]),
            ]
        search = Search(using=self.client, index=self.alias).query(
            Q("bool", should=should, minimum_should_match=1)
        )
        search = search.extra(size=limit * 3).source(["title"])
        try:
            response = self._call(search.execute)
        except SearchUnavailable as error:
            if isinstance(error.__cause__, NotFoundError):
                return []
            raise
        return rank_suggestions([hit.title for hit in response.hits], typed, limit)
