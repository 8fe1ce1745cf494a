"""Python's cycle collector paused around work that makes many objects and few cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; the collector runs again afterwards, as
    before (unless something else had turned it off), also when the block raises. Whatever
    cycles the block made are collected then; everything else is freed by reference counting.

    Where it is used, and why: the collector's passes are triggered by allocations, and its
    full passes walk every live object of the process.
    - A floor of 1,000 instruments (bookings.floor) allocates tens of thousands of
      short-lived rows: passes in the middle of the request cost tens of milliseconds (its p95).
    - An import (catalogue.importer) holds the parsed file's millions of objects: 15 full
      passes over them cost 11.8 s of an import of 100,000 listings."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
