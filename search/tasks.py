"""Background tasks of search (django-tasks)."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger("search")


@task()
def drain_search_index() -> dict:
    """Deliver pending index updates to every engine (see search.indexing)."""
    from .indexing import drain_all

    try:
        report = drain_all()
    except Exception:  # the outbox keeps the rows; the next drain retries them
        logger.exception("search: draining the index outbox failed")
        return {"error": True}
    return {"indexed": report.indexed, "removed": report.removed, "deferred": report.deferred}
