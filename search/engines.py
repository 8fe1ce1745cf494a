"""The search-engine interface and the choice between its two implementations.

Callers ask `get_engine()` and never branch on which engine is active. The engine is chosen
by settings: Elasticsearch when ELASTICSEARCH_URL is set, the embedded database engine
otherwise.
"""

from __future__ import annotations

from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import connection


class SearchEngine(Protocol):
    name: str

    def status(self) -> dict:
        """A small dict for /healthz; raises or returns {"ok": False, ...} when unusable."""
        ...


class DatabaseEngine:
    """Full text in the application's own database: nothing to install."""

    name = "database"

    def status(self) -> dict:
        return {"engine": self.name, "database": connection.vendor, "ok": True}


class ElasticsearchEngine:
    """A real Elasticsearch node or cluster, reached through the official 8.x client."""

    name = "elasticsearch"

    def __init__(self, url: str, timeout: int) -> None:
        self.url = url
        self.timeout = timeout

    @property
    def client(self):
        from elasticsearch import Elasticsearch

        return Elasticsearch(self.url, request_timeout=self.timeout, max_retries=0)

    def status(self) -> dict:
        health = self.client.cluster.health(timeout=f"{self.timeout}s")
        cluster_status = health.get("status")
        return {
            "engine": self.name,
            "cluster_status": cluster_status,
            "ok": cluster_status in {"green", "yellow"},
        }


@cache
def _engine_for(engine: str, url: str | None, timeout: int) -> SearchEngine:
    if engine == "elasticsearch" and url:
        return ElasticsearchEngine(url, timeout)
    return DatabaseEngine()


def get_engine() -> SearchEngine:
    return _engine_for(
        settings.SEARCH_ENGINE, settings.ELASTICSEARCH_URL, settings.ELASTICSEARCH_TIMEOUT
    )
