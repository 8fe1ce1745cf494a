"""Background tasks of search (django-tasks).

The drain task is defined in `search.indexing`, beside the outbox; this module keeps the
path `search.tasks.drain_search_index` importable for tasks queued under it.
"""

from __future__ import annotations

from .indexing import drain_search_index

__all__ = ["drain_search_index"]
