"""Counting against a limit in the shared cache, safely when requests arrive at once.

Django's `cache.incr` is a read and then a write on the database cache (production's default,
shared by every app server), and DRF's throttles read a list of timestamps and write it back:
requests arriving together on several servers or workers all read the same count and all get
through. Here each request claims one numbered slot of its window with `cache.add`, which is
atomic on every shared cache (the database cache's primary key, Redis' SET NX), so no two
requests can take the same slot, whatever the number of servers. A hint remembers where the
free slots start, so a request usually claims at its first try.
"""

from __future__ import annotations

import time

from rest_framework.throttling import AnonRateThrottle


def claim(cache, prefix: str, limit: int, timeout: int) -> bool:
    """Take one of `limit` slots under `prefix` (one window); False when all are taken."""
    slot = cache.get(f"{prefix}:next") or 0
    while slot < limit:
        if cache.add(f"{prefix}:{slot}", 1, timeout=timeout):
            cache.set(f"{prefix}:next", slot + 1, timeout=timeout)
            return True
        slot += 1
    return False


class SharedAnonRateThrottle(AnonRateThrottle):
    """DRF's anonymous rate throttle counted with `claim`: `rate` requests per fixed window
    (a calendar minute for "30/minute"), exact across app servers. A fixed window lets a
    client spend two windows' allowance around a boundary; DRF's sliding history cannot be
    kept atomically in a cache."""

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        return claim(self.cache, f"{self.key}:{window}", self.num_requests, self.duration)

    def wait(self) -> float:
        return max(1.0, self.window_ends - self.now)

    def timer(self) -> float:
        return time.time()
