"""What every API request pays besides its own work: the floor (a bare Django view), a DRF
no-op (the same constant answer through an APIView with the project's API settings) and some
rows of bench/api.py, interleaved round by round, each rendered with the page cache off.

    .venv/bin/python bench/api_overhead.py --database-url sqlite:////tmp/copy.sqlite3 \
        --only "API instruments list" --only "API institutions list" --rounds 200

In-process, as bench/api.py (same settings, client and warm-up); prints p50/p95 of each and
their ratios to the floor, and writes no docs. `--clock cpu` times each request by the CPU
time of this thread instead of the wall clock: on a machine shared with other work it moves far
less with the load (it leaves out the time a PostgreSQL server spends on the queries).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.api import WARMUP, percentile, plan  # noqa: E402
from bench.lib import catalogue_django  # noqa: E402

NOOP = "/bench/drf-noop"
FLOOR = "/bench/floor"


def run(*, rounds: int, only: list[str], clock: str = "wall") -> str:
    from django.conf import settings
    from django.test import Client

    from bench.lib.timing import timed_get

    def cpu_get(client, path: str, *, cached: bool):
        started = time.thread_time()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code}")
        return ((time.thread_time() - started) * 1000,)

    timed = cpu_get if clock == "cpu" else timed_get

    settings.PAGE_CACHE_ENABLED = False
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    rows = {FLOOR: [FLOOR], NOOP: [NOOP]}
    for label, paths, signed_in in plan():
        if not signed_in and any(word in label for word in only):
            rows[label] = paths
    times: dict[str, list[float]] = {label: [] for label in rows}
    for i in range(WARMUP + rounds):
        for label, paths in rows.items():
            ms = timed(client, paths[i % len(paths)], cached=False)[0]
            if i >= WARMUP:
                times[label].append(ms)
    f50 = statistics.median(times[FLOOR])
    f95 = percentile(times[FLOOR], 0.95)
    lines = [
        f"1-minute load {os.getloadavg()[0]:.1f}; {rounds} rounds; {clock} clock",
        "| request | p50 ms | p95 ms | p50 vs floor p50 | p95 vs floor p95 |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, values in times.items():
        p50, p95 = statistics.median(values), percentile(values, 0.95)
        lines.append(f"| {label} | {p50:.2f} | {p95:.2f} | {p50 / f50:.1f}× | {p95 / f95:.1f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    parser.add_argument("--only", action="append", default=[], help="rows whose label has this")
    args = parser.parse_args()
    catalogue_django.setup(args.database_url, page_cache=False)
    print(run(rounds=args.rounds, only=args.only or ["API instruments list"], clock=args.clock))


if __name__ == "__main__":
    main()
