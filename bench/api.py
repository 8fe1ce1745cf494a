"""API benchmark at catalogue scale: every catalogue list, filtered list, deep page, detail,
availability and search request of the API (and the list pages beside them), plus the
approval queue with 10,000 pending requests, each interleaved with the floor.

    # once: a database holding the generated catalogue (100,000 listings)
    manage.py migrate && manage.py generate_catalogue --instruments 40000 --incubators 20000 \
        --technologies 40000 --seed 20260101 -o catalogue.json \
        && manage.py import_catalogue catalogue.json --no-progress
    .venv/bin/python bench/api.py --database-url postgres://user:pw@host/db   # or sqlite:///…
    .venv/bin/python bench/api.py --database-url … --quick                   # docs untouched

In-process, as bench/pages.py and bench/floor.py: Django's test client, DEBUG off, the whole
middleware stack. For every request, N rounds of three requests in a row — the floor (a bare
view returning constant JSON, bench/lib/floor_urls.py), the request rendered with the page
cache off (the work), and the same request from the anonymous page cache (a hit) — so all
meet the machine in the same state.
Queries per request are counted with CaptureQueriesContext. The first run on a database adds
the approval queue (one institution, 100 instruments, 10,000 pending bookings; kept for the
next runs). A full run rewrites the marked section of docs/performance.md for its database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lib import catalogue_django  # noqa: E402

WARMUP = 5
QUEUE_INSTITUTION = "BENCH-QUEUE"
QUEUE_PENDING = 10_000
# Goals of issue 17, as multiples of the floor: the approval queue 20×, the rest 10×.
GOAL = 10
QUEUE_GOAL = 20


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[index]


def seed_queue() -> None:
    """One institution with 100 instruments and 10,000 pending requests on them (once)."""
    from decimal import Decimal

    from django.utils import timezone

    from bench.bookings import bench_instruments
    from marketplace.accounts.models import Institution, User
    from marketplace.bookings.models import Booking, Status
    from marketplace.catalogue.models import Instrument

    if Institution.objects.filter(code=QUEUE_INSTITUTION).exists():
        _queue_manager_as_granted()
        return
    institution = Institution.objects.create(
        code=QUEUE_INSTITUTION, name="基准审批队列研究院", type="university", region="530100"
    )
    User.objects.create_user("bench-queue-manager", "q@example.org", "x")
    _queue_manager_as_granted()
    users = User.objects.bulk_create(
        User(username=f"bench-queue-user-{i}", email=f"q{i}@example.org") for i in range(200)
    )
    users = list(User.objects.filter(username__startswith="bench-queue-user-"))
    Instrument.objects.bulk_create(bench_instruments(institution, "BENCHQ-{:03d}", 100))
    instruments = list(Instrument.objects.filter(institution=institution).order_by("code"))
    zone = dt.timezone(dt.timedelta(hours=8))
    first = dt.datetime.combine(
        timezone.localdate() + dt.timedelta(days=2), dt.time(8, 0), tzinfo=zone
    )
    rows = []
    for k in range(QUEUE_PENDING):
        slot = k // len(instruments)
        start = first + dt.timedelta(days=slot // 24, minutes=30 * (slot % 24))
        rows.append(
            Booking(
                instrument=instruments[k % len(instruments)],
                institution_id=instruments[k % len(instruments)].institution_id,
                user=users[k % len(users)],
                start=start,
                end=start + dt.timedelta(minutes=30),
                status=Status.PENDING_APPROVAL,
                price=Decimal("150.00"),
                # Far enough that no run of the bench sees them expire.
                hold_expires_at=timezone.now() + dt.timedelta(days=3650),
            )
        )
    Booking.objects.bulk_create(rows, batch_size=2000)


def _queue_manager_as_granted() -> None:
    """The queue's manager as `grant_role` makes one: the membership and the 机构成员 group
    (which opens the Wagtail admin, so the page's footer carries the userbar a real manager
    sees). Databases seeded before the group was given get it on their next run."""
    from marketplace.accounts.services import grant_role

    grant_role(username="bench-queue-manager", institution_code=QUEUE_INSTITUTION, role="manager")


def plan() -> list[tuple[str, list[str], bool]]:
    """(label, paths cycled through, signed in as the queue's manager)."""
    from django.utils import timezone

    from marketplace.accounts.models import Institution
    from marketplace.catalogue.models import Incubator, Instrument, Technology

    def spread(model, n=10) -> list[str]:
        codes = model.objects.published().order_by("code").values_list("code", flat=True)
        total = codes.count()
        return [codes[i * total // n] for i in range(n)]

    instruments = spread(Instrument)
    institutions = list(
        Institution.objects.order_by("code").values_list("code", flat=True)[::50][:10]
    )
    big = (
        Institution.objects.exclude(code=QUEUE_INSTITUTION)
        .order_by("-instrument_count" if _has_count() else "code")
        .values_list("code", flat=True)
        .first()
    )
    start = timezone.localdate() + dt.timedelta(days=1)
    end = start + dt.timedelta(days=13)
    api = "/api/v1"
    return [
        ("API institutions list", [f"{api}/institutions/"], False),
        ("API institutions list, last page", [f"{api}/institutions/?page=26"], False),
        ("API institution detail", [f"{api}/institutions/{c}/" for c in institutions], False),
        ("API instruments list", [f"{api}/instruments/"], False),
        (
            "API instruments, region + category",
            [f"{api}/instruments/?region=530100&category=analytical"],
            False,
        ),
        (
            "API instruments, region + category + service mode",
            [f"{api}/instruments/?region=532300&category=analytical&service_mode=sample_testing"],
            False,
        ),
        (
            "API instruments, region + category, page 500",
            [f"{api}/instruments/?region=530100&category=analytical&page=500"],
            False,
        ),
        ("API instruments, one institution", [f"{api}/instruments/?institution={big}"], False),
        ("API instruments, page 500", [f"{api}/instruments/?page=500"], False),
        ("API instruments, page 1,900", [f"{api}/instruments/?page=1900"], False),
        ("API instruments, page_size=100", [f"{api}/instruments/?page_size=100"], False),
        ("API instruments, q=显微镜", [f"{api}/instruments/?q=显微镜"], False),
        ("API instrument detail", [f"{api}/instruments/{c}/" for c in instruments], False),
        (
            "API instrument availability (14 days)",
            [f"{api}/instruments/{c}/availability/?start={start}&end={end}" for c in instruments],
            False,
        ),
        ("API incubators list", [f"{api}/incubators/"], False),
        (
            "API incubators, region + type",
            [f"{api}/incubators/?region=530100&type=maker_space"],
            False,
        ),
        ("API incubators, q=创客", [f"{api}/incubators/?q=创客"], False),
        ("API incubators, page 500", [f"{api}/incubators/?page=500"], False),
        ("API incubator detail", [f"{api}/incubators/{c}/" for c in spread(Incubator)], False),
        ("API technologies list", [f"{api}/technologies/"], False),
        (
            "API technologies, region + IP type + TRL ≥ 5",
            [f"{api}/technologies/?region=530100&ip_type=invention_patent&trl_min=5"],
            False,
        ),
        ("API technologies, page 500", [f"{api}/technologies/?page=500"], False),
        ("API technologies, q=绿色能源", [f"{api}/technologies/?q=绿色能源"], False),
        (
            "API technology detail",
            [f"{api}/technologies/{c}/" for c in spread(Technology)],
            False,
        ),
        ("API search q=显微镜", [f"{api}/search/?q=显微镜"], False),
        (
            "API search q=显微镜, kind + region",
            [f"{api}/search/?q=显微镜&kind=instrument&region=530100"],
            False,
        ),
        ("page /institutions/", ["/institutions/"], False),
        (
            "page /instruments/, region + category",
            ["/instruments/?region=530100&category=analytical"],
            False,
        ),
        ("page /instruments/, page 500", ["/instruments/?page=500"], False),
        ("page /instruments/, q=显微镜", ["/instruments/?q=显微镜"], False),
        (f"approval queue page, {QUEUE_PENDING:,} pending", ["/bookings/queue/"], True),
    ]


def _has_count() -> bool:
    from marketplace.accounts.models import Institution

    return any(f.name == "instrument_count" for f in Institution._meta.get_fields())


def run(*, rounds: int, only: str | None) -> tuple[str, list[tuple]]:
    import django
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client

    from bench.lib.timing import timed_get
    from marketplace.accounts.models import Institution, User

    settings.PAGE_CACHE_ENABLED = False
    # Entries must outlive a slow run: what the cached column measures is a hit, not expiry.
    settings.PAGE_CACHE_SECONDS = 3600
    seed_queue()
    caches[settings.PAGE_CACHE_ALIAS].clear()
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    member = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    member.force_login(User.objects.get(username="bench-queue-manager"))

    def one(client, path: str, cached: bool = False) -> tuple[float, int, str]:
        return timed_get(client, path, cached=cached)

    load_before = os.getloadavg()[0]
    rows = []
    for label, paths, signed_in in plan():
        if only and only not in label:
            continue
        client = member if signed_in else anonymous
        for i in range(WARMUP):
            one(client, "/bench/floor")
            one(client, paths[i % len(paths)])
        if not signed_in:  # a signed-in visitor is never served from the cache
            for path in paths:
                one(client, path, cached=True)
        floor, timed, hits, queries, hit_queries = [], [], [], set(), set()
        for i in range(rounds):
            path = paths[i % len(paths)]
            floor.append(one(client, "/bench/floor")[0])
            ms, n, _state = one(client, path)
            timed.append(ms)
            queries.add(n)
            if not signed_in:
                ms, n, state = one(client, path, cached=True)
                if state != "hit":
                    raise SystemExit(f"{path}: not served from the cache ({state or 'no header'})")
                hits.append(ms)
                hit_queries.add(n)
        goal = QUEUE_GOAL if "queue" in label else GOAL

        def spread(counts: set[int]) -> str:
            return "–".join(str(n) for n in sorted({min(counts), max(counts)})) if counts else ""

        row = (
            label,
            statistics.median(floor),
            percentile(floor, 0.95),
            statistics.median(timed),
            percentile(timed, 0.95),
            spread(queries),
            goal,
            statistics.median(hits) if hits else None,
            percentile(hits, 0.95) if hits else None,
            spread(hit_queries),
        )
        rows.append(row)
        cached = f", cached p50 {row[7]:.2f} ms p95 {row[8]:.2f} ms" if hits else ""
        print(
            f"{label}: p50 {row[3]:.1f} ms, p95 {row[4]:.1f} ms, floor {row[1]:.2f}/{row[2]:.2f},"
            f" {row[5]} queries, p95/floor p95 {row[4] / row[2]:.1f}×{cached}",
            flush=True,
        )
    load_after = os.getloadavg()[0]

    database = (
        f"SQLite {__import__('sqlite3').sqlite_version}"
        if connection.vendor == "sqlite"
        else f"PostgreSQL {connection.cursor().connection.info.server_version}"
    )
    from marketplace.catalogue.models import Incubator, Instrument, Technology

    sizes = {m.__name__: m.objects.count() for m in (Instrument, Incubator, Technology)}
    live = {m.__name__: m.objects.published().count() for m in (Instrument, Incubator, Technology)}
    lines = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC with `bench/api.py` "
        f"({platform.machine()}, {os.cpu_count()} logical cores, shared; Python "
        f"{platform.python_version()}, Django {django.get_version()}, {database}); 1-minute load "
        f"average {load_before:.1f} before and {load_after:.1f} after.",
        "",
        f"Data: {sum(sizes.values()):,} listings from `generate_catalogue --seed 20260101` "
        f"({sizes['Instrument']:,} instruments, {sizes['Incubator']:,} incubators, "
        f"{sizes['Technology']:,} technologies; published {live['Instrument']:,} / "
        f"{live['Incubator']:,} / {live['Technology']:,}), "
        f"{Institution.objects.count():,} institutions, and the approval queue of one institution "
        f"with {QUEUE_PENDING:,} pending requests. In-process test client, DEBUG off; "
        f"{rounds} rounds per request after {WARMUP} warm-up rounds, each the floor (constant "
        "JSON view), then the request rendered (page cache off), then the same request from "
        "the anonymous page cache (a hit; the approval queue is signed in, never cached); detail "
        "requests cycle through 10 listings. Goal: p95 ≤ "
        f"{GOAL}× the floor ({QUEUE_GOAL}× for the approval queue); a ratio above it is in bold.",
        "",
        "| request | floor p50 / p95 ms | rendered p50 ms | rendered p95 ms | queries "
        "| rendered p50 vs floor p50 | rendered p95 vs floor p95 | rendered p95 vs floor p50 "
        "| cached p50 / p95 ms | queries | cached p95 vs floor p95 | cached p95 vs floor p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, f50, f95, p50, p95, queries, goal, h50, h95, hit_queries in rows:

        def shown(ratio: float, goal: int = goal) -> str:
            return f"{ratio:.1f}×" if ratio <= goal else f"**{ratio:.0f}×**"

        cached = (
            f"{h50:.2f} / {h95:.2f} | {hit_queries} | {shown(h95 / f95)} | {shown(h95 / f50)}"
            if h50 is not None
            else "— | — | — | —"
        )
        lines.append(
            f"| {label} | {f50:.2f} / {f95:.2f} | {p50:.1f} | {p95:.1f} | {queries} | "
            f"{p50 / f50:.0f}× | {shown(p95 / f95)} | {shown(p95 / f50)} | {cached} |"
        )
    return "\n".join(lines) + "\n", rows


def write_docs(report: str, family: str) -> None:
    from bench.lib.docs import write_section

    write_section("api", family, "API at 100,000 listings", report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_API_DATABASE_URL"),
        help="a database holding the generated catalogue (default: $BENCH_API_DATABASE_URL)",
    )
    # A p95 of 100 rounds rests on its 5 slowest; 300 rounds on 15, which one hiccup of the
    # machine moves less (the same row measured 10.2–12.6× in three runs of 100 rounds).
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="20 rounds, docs untouched")
    parser.add_argument("--only", help="only the requests whose label contains this")
    parser.add_argument("--no-docs", action="store_true")
    args = parser.parse_args()
    if not args.database_url:
        # `make bench` runs every script: this one needs a database prepared beforehand.
        print("bench/api.py skipped: give --database-url (or BENCH_API_DATABASE_URL) of a")
        print("database holding the generated catalogue; see the module docstring.")
        return
    catalogue_django.setup(args.database_url, page_cache=False)
    report, _rows = run(rounds=20 if args.quick else args.rounds, only=args.only)
    print(report)
    if not (args.quick or args.no_docs or args.only):
        from django.db import connection

        write_docs(report, "sqlite" if connection.vendor == "sqlite" else "postgresql")


if __name__ == "__main__":
    main()
