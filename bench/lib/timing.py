"""One timed request of the in-process benchmarks (bench/api.py, bench/pages.py)."""

from __future__ import annotations

import time


def timed_get(client, path: str, *, cached: bool, forget_cookies: bool = False):
    """GET `path` through the test `client` with the page cache on or off: (wall ms, queries,
    X-Page-Cache). Anything but a 200 stops the benchmark; a timing of an error page would be
    a wrong number, not a slow one."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PAGE_CACHE_ENABLED = cached
    connection.queries_log.clear()  # the log holds 9,000: a full one miscounts
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        response = client.get(path)
        elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{path}: HTTP {response.status_code} {response.content[:300]!r}")
    if forget_cookies:
        client.cookies.clear()
    # The test client ties the response into a reference cycle a WSGI server does not make
    # (`response.json`, a partial holding the response): without it, the response and what it
    # holds are freed here by reference counting, as under gunicorn, instead of by a collector
    # pass inside a later timed request (config.api.release_view).
    response.__dict__.pop("json", None)
    return elapsed, len(captured), response.get("X-Page-Cache", "")
