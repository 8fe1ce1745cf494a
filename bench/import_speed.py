"""Import speed: a generated catalogue into an empty database, then the same file again.

    .venv/bin/python bench/import_speed.py                      # SQLite, 100,000 listings
    .venv/bin/python bench/import_speed.py --database-url postgres://…/postgres
    .venv/bin/python bench/import_speed.py --database-url … --elasticsearch   # as an operator
                                                                            # with the services

Each step is the real command in its own process (`manage.py import_catalogue FILE
--no-progress`, Django's start-up included): its wall time, its CPU time (user + system, of
the command only — a PostgreSQL or Elasticsearch server's work is in the wall time, not
here) and the 1-minute load average before it. On a shared machine the wall time follows the
load; the CPU time is what to compare between runs (docs/performance.md, "Import speed").
The goals of issue 17: ≤ 60 s on SQLite, ≤ 90 s on PostgreSQL, an unchanged re-import
≤ 15 s, making the listings searchable included.

Without `--elasticsearch` the settings pick the embedded database engine (ELASTICSEARCH_URL
is removed from the environment); with it, the import also feeds Elasticsearch (an index
prefix of its own, dropped afterwards). The temporary database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.catalogue import ROOT, fresh_database, log, manage, run_step  # noqa: E402


def timed(label: str, args: list[str], env: dict) -> dict:
    """Run one command; its wall and CPU seconds and the load average before it."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    log(f"{label} (1-minute load {load:.2f}) …")
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 -- our own interpreter and manage.py
        args, cwd=ROOT, env=env, capture_output=True
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.stderr.write(result.stderr.decode("utf-8", "replace")[-4000:])
        raise SystemExit(f"[bench] {label} failed with exit status {result.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    log(f"{label}: {wall:.1f} s wall, {cpu:.1f} s CPU")
    return {"wall": wall, "cpu": cpu, "load": load}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument(
        "--database-url", default=None, help="postgres://… server to create a fresh database on"
    )
    parser.add_argument(
        "--elasticsearch",
        action="store_true",
        help="keep ELASTICSEARCH_URL: the import feeds Elasticsearch too",
    )
    parser.add_argument("--file", default=None, help="an existing catalogue file to import")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="bench-import-"))
    database = fresh_database(args.database_url, workdir)
    drop = {"ELASTICSEARCH_URL"} if not args.elasticsearch else set()
    env = {k: v for k, v in os.environ.items() if k not in drop}
    prefix = f"bench_import_{os.getpid()}"
    env.update(
        DATABASE_URL=database.url,
        ELASTICSEARCH_INDEX_PREFIX=prefix,
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
        MEDIA_ROOT=str(workdir / "media"),
    )
    path = Path(args.file) if args.file else workdir / "catalogue.json"
    try:
        run_step("migrate", manage("migrate", "--noinput", "-v", "0"), env)
        if not args.file:
            instruments = round(args.listings * 0.4)
            incubators = round(args.listings * 0.2)
            run_step(
                "generate_catalogue",
                manage(
                    "generate_catalogue",
                    f"--instruments={instruments}",
                    f"--incubators={incubators}",
                    f"--technologies={args.listings - instruments - incubators}",
                    f"--seed={args.seed}",
                    f"--output={path}",
                ),
                env,
            )
        command = manage("import_catalogue", str(path), "--no-progress")
        first = timed("import into the empty database", command, env)
        again = timed("re-import (unchanged)", command, env)
    finally:
        if args.elasticsearch:
            subprocess.run(  # noqa: S603
                manage("shell", "-c", "from search.engines import get_engine; get_engine().drop()"),
                cwd=ROOT,
                env=env,
                capture_output=True,
            )
        database.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    engine = "Elasticsearch + embedded index" if args.elasticsearch else "embedded index"
    print(f"{database.engine}, {engine}, {args.listings:,} listings")
    for label, result in (("import", first), ("re-import", again)):
        print(
            f"- {label}: {result['wall']:.1f} s wall ({args.listings / result['wall']:,.0f} "
            f"listings/s), {result['cpu']:.1f} s CPU, 1-minute load {result['load']:.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
