"""A test database stepped back to earlier migrations and forward again, for the tests that
check what a data migration does to rows written before it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


@dataclass
class Stepped:
    before: Apps
    after: Apps | None = None


def migrate(targets) -> Apps:
    """Migrate to `targets` ((app, name or None) pairs) and return the historical apps: every
    other app as migrated, the named apps where the targets put them."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    named = {app for app, _name in targets}
    at = [leaf for leaf in executor.loader.graph.leaf_nodes() if leaf[0] not in named]
    return executor.loader.project_state(at + [t for t in targets if t[1] is not None]).apps


@contextmanager
def stepped_back(targets) -> Iterator[Stepped]:
    """Inside the block the database is at `targets` (`.before` holds those apps); when it ends,
    also after a failure, the database is at the latest migrations again (`.after`)."""
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    stepped = Stepped(before=migrate(targets))
    try:
        yield stepped
    finally:
        stepped.after = migrate(latest)
