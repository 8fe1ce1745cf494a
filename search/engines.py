"""The search-engine interface and the choice between its two implementations.

Callers ask `get_engine()` and never branch on which engine is active. The engine is chosen
by settings: Elasticsearch when ELASTICSEARCH_URL is set, the embedded database engine
otherwise. The database engine is always kept up to date as well: it is what answers when
Elasticsearch cannot.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Protocol

from django.conf import settings

from .analysis import ParsedQuery
from .backends.database import DatabaseEngine
from .backends.elasticsearch import ElasticsearchEngine
from .documents import Document
from .query import SearchRequest, SearchResult

__all__ = ["DatabaseEngine", "ElasticsearchEngine", "SearchEngine", "database_engine", "get_engine"]


class SearchEngine(Protocol):
    name: str

    def status(self) -> dict:
        """A small dict for /healthz; {"ok": False, ...} when unusable."""
        ...

    def search(
        self, parsed: ParsedQuery, request: SearchRequest, relaxed: bool = False
    ) -> SearchResult: ...

    def suggest(self, text: str, limit: int = 8) -> list[str]: ...

    def apply(self, documents: dict[str, Document | None]) -> None:
        """Index or remove these documents; raises SearchUnavailable if it cannot now."""
        ...

    def rebuild(
        self, documents: Iterable[Document], progress=None, batch_size: int = 500
    ) -> int: ...

    def document_count(self) -> int: ...


@cache
def database_engine() -> DatabaseEngine:
    return DatabaseEngine()


@cache
def _engine_for(engine: str, url: str | None, timeout: int, prefix: str) -> SearchEngine:
    if engine == "elasticsearch" and url:
        return ElasticsearchEngine(url, timeout, prefix=prefix, fallback=database_engine())
    return database_engine()


def get_engine() -> SearchEngine:
    return _engine_for(
        settings.SEARCH_ENGINE,
        settings.ELASTICSEARCH_URL,
        settings.ELASTICSEARCH_TIMEOUT,
        settings.ELASTICSEARCH_INDEX_PREFIX,
    )
