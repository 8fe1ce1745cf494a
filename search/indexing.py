"""Keeping the indexes in step with the database: the outbox, its drain, and full rebuilds.

A change to a page or listing writes an IndexOperation row and updates the embedded index in
its own transaction; after the commit a background task drains the outbox: it re-reads the
documents and updates the embedded index again (idempotent) and, when configured,
Elasticsearch. If Elasticsearch cannot take them the rows stay,
with a later retry time, and the next drain (after any change, or `drain_search_index` from
cron) delivers them. A save never waits on, nor fails because of, the search server.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone
from django_tasks import task

from . import documents
from .backends.database import PG_VECTORS_KEY, VECTOR_TABLE, vectors_given
from .bulk import secondary_indexes_rebuilt
from .engines import database_engine, get_engine
from .models import IndexOperation, SearchDocument
from .query import SearchUnavailable

logger = logging.getLogger("search")
RETRY_AFTER = timedelta(seconds=60)
# From this many documents into an empty index, index_in_bulk builds PostgreSQL's secondary
# indexes after the rows instead of maintaining them row by row.
FILL_FROM = 10_000


def enqueue(keys) -> None:
    """Record that these documents changed and update the embedded index in the same
    transaction (so it always shows exactly what is committed); other engines get the change
    from the outbox after the commit."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return
    IndexOperation.objects.bulk_create([IndexOperation(key=key) for key in keys])
    try:
        database_engine().apply(documents.load(keys))
    except Exception:  # the outbox row stays: the drain retries; the save itself goes on
        logger.exception("search: could not update the embedded index for %s", keys)
    # One save may send several signals (post_save, published); each schedules a drain, and
    # the later ones find the outbox empty, which costs one query.
    transaction.on_commit(_schedule_drain)


def index_in_bulk(
    keys, batch_size: int = 2000, progress=None, load=None, prepared=(), expected: int = 0
) -> int:
    """For bulk writers (the catalogue import), after their rows are committed: build each
    document once and write it to the embedded index, and to Elasticsearch when that is the
    engine, a batch at a time. `enqueue` would build every document twice (the save's own
    update, then the drain's) and keep an outbox row for each; here only what an engine could
    not take goes to the outbox, for the drain to retry. `progress(n)` hears each batch;
    `load(keys)` builds a batch's documents (documents.load unless the caller knows better:
    the import builds its new listings from the values it wrote). `prepared` are batches
    built elsewhere ({key: `prepare`'s entry}: the import's second process), written before
    `keys` (`expected` says how many documents they bring). Returns the documents indexed."""
    keys = list(dict.fromkeys(keys))
    engine = get_engine()
    embedded = database_engine()
    sources = engine is not embedded
    retry: list[str] = []
    indexed = 0
    # Filling an empty index with many documents (the first import of a catalogue), the
    # PostgreSQL tables' secondary indexes are built after the rows, in one transaction.
    fresh = fills_empty_index(len(keys) + expected)

    def batches():
        yield from prepared
        for start in range(0, len(keys), batch_size):
            docs = (load or documents.load)(keys[start : start + batch_size])
            yield prepare(docs, sources, vectors=fresh)

    with contextlib.ExitStack() as stack:
        if fresh:
            stack.enter_context(transaction.atomic())
            stack.enter_context(
                secondary_indexes_rebuilt(connection, [SearchDocument._meta.db_table, VECTOR_TABLE])
            )
            # entered after: the vectors go in before their GIN indexes are built
            stack.enter_context(vectors_given())
        for entries in batches():
            indexed += _apply_batch(entries, engine, embedded, sources, retry, progress)
        if retry:
            with transaction.atomic():
                IndexOperation.objects.bulk_create(
                    [IndexOperation(key=key) for key in retry], batch_size=batch_size
                )
                transaction.on_commit(_schedule_drain)
    return indexed


def fills_empty_index(documents: int) -> bool:
    """Whether `index_in_bulk` of this many documents takes the path for filling an empty
    PostgreSQL index (indexes built after the rows, vectors given by the writer)."""
    return (
        connection.vendor == "postgresql"
        and documents >= FILL_FROM
        and not SearchDocument.objects.exists()
    )


def _apply_batch(entries: dict, engine, embedded, sources: bool, retry: list, progress) -> int:
    """Write one prepared batch to the embedded index and, with `sources`, to the engine;
    the keys an engine refused go to `retry`. Returns the documents indexed."""
    try:
        embedded.apply_rows({key: entry and entry[0] for key, entry in entries.items()})
    except Exception:  # the outbox keeps them; the drain retries
        logger.exception("search: could not update the embedded index for %d keys", len(entries))
        retry.extend(entries)
        return 0
    if sources:
        try:
            engine.apply_sources({key: entry and entry[1] for key, entry in entries.items()})
        except SearchUnavailable as error:
            logger.warning("search: %s index updates deferred: %s", len(entries), error)
            retry.extend(entries)
            return 0
    if progress:
        progress(len(entries))
    return sum(1 for entry in entries.values() if entry is not None)


def prepare(
    docs: dict, sources: bool, vectors: bool = False
) -> dict[str, tuple[dict, dict | None] | None]:
    """What each engine writes for these documents, key by key: (the embedded index's row,
    the Elasticsearch source when `sources`), or None for a document to remove; with
    `vectors`, the row brings its PostgreSQL vectors as text (PG_VECTORS_KEY, for an index
    filled from empty). Needs no database: a bulk writer may run it in another process (the
    catalogue import does)."""
    from .backends.database import document_values
    from .backends.elasticsearch import es_document
    from .backends.pg_vectors import vectors as pg_vectors

    entries = {}
    for key, doc in docs.items():
        if doc is None:
            entries[key] = None
            continue
        row = document_values(doc)
        if vectors:
            row[PG_VECTORS_KEY] = pg_vectors(row)
        entries[key] = (row, es_document(doc) if sources else None)
    return entries


def wants_sources() -> bool:
    """Whether `prepare` must build Elasticsearch sources too (it is the engine)."""
    return get_engine() is not database_engine()


def _schedule_drain() -> None:
    try:
        drain_search_index.enqueue()
    except Exception:  # a queue problem must not fail the request; cron drains later
        logger.exception("search: could not enqueue the index drain")


@dataclass
class DrainReport:
    indexed: int = 0
    removed: int = 0
    deferred: int = 0
    error: str = ""


def drain(limit: int = 500, *, force: bool = False) -> DrainReport:
    """Apply up to `limit` due outbox rows; `force` also takes rows waiting for a retry."""
    report = DrainReport()
    rows = IndexOperation.objects.order_by("id")
    if not force:
        rows = rows.filter(next_attempt_at__lte=timezone.now())
    batch = list(rows.values_list("id", "key")[:limit])
    if not batch:
        return report
    keys = {key for _id, key in batch}
    last_id = max(row_id for row_id, _key in batch)
    docs = documents.load(keys)
    database_engine().apply(docs)
    engine = get_engine()
    done = IndexOperation.objects.filter(id__lte=last_id, key__in=keys)
    if engine is not database_engine():
        try:
            engine.apply(docs)
        except SearchUnavailable as error:
            report.deferred = len(keys)
            report.error = str(error)
            logger.warning("search: %s index updates deferred: %s", len(keys), error)
            for row in done:
                row.attempts += 1
                row.next_attempt_at = timezone.now() + RETRY_AFTER * min(2**row.attempts, 30)
                row.last_error = str(error)[:1000]
            IndexOperation.objects.bulk_update(done, ["attempts", "next_attempt_at", "last_error"])
            return report
    done.delete()
    report.indexed = sum(1 for doc in docs.values() if doc is not None)
    report.removed = len(docs) - report.indexed
    return report


def drain_all(*, force: bool = False, limit: int = 500) -> DrainReport:
    """Drain until nothing due is left or an engine refuses."""
    total = DrainReport()
    while True:
        report = drain(limit, force=force)
        total.indexed += report.indexed
        total.removed += report.removed
        if report.error:
            total.deferred, total.error = report.deferred, report.error
            return total
        if not report.indexed and not report.removed:
            return total


def pending_count() -> int:
    return IndexOperation.objects.count()


def rebuild(engine, progress=None) -> int:
    """Rebuild one engine's index from every published document."""
    started = IndexOperation.objects.order_by("-id").values_list("id", flat=True).first()
    count = engine.rebuild(documents.iter_all(), progress=progress)
    if started and engine is get_engine():
        # everything queued before the rebuild began is in the new index
        IndexOperation.objects.filter(id__lte=started).delete()
    return count


@task()
def drain_search_index() -> dict:
    """The background task behind every save: deliver pending index updates to every engine.

    It lives here, beside the outbox it drains (`search.tasks` names it for rows queued under
    its older path), so indexing and its task do not import each other.
    """
    try:
        report = drain_all()
    except Exception:  # the outbox keeps the rows; the next drain retries them
        logger.exception("search: draining the index outbox failed")
        return {"error": True}
    return {"indexed": report.indexed, "removed": report.removed, "deferred": report.deferred}
