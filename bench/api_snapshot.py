"""Every API answer of the benchmark's requests and more, as a file to compare between two
checkouts: status, the headers that matter and a digest of the body, in Chinese and English,
anonymous (page cache off, then a miss and a hit) and signed in, errors included.

    cp /work/bench-data/api.sqlite3 /tmp/a.sqlite3            # a fresh copy for each run
    .venv/bin/python bench/api_snapshot.py --database-url sqlite:////tmp/a.sqlite3 -o before.json
    (in the other checkout, on another fresh copy) … -o after.json
    .venv/bin/python bench/api_snapshot.py --compare before.json after.json

A change meant to keep every answer must leave the two files equal. Run on a fresh copy of the
benchmark database each time: the run signs in, throttles and fills the page cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lib import catalogue_django  # noqa: E402

HEADERS = ("Content-Type", "Vary", "Cache-Control", "Allow", "Content-Language", "X-Page-Cache")


def record(response) -> dict:
    body = response.content if not response.streaming else b"".join(response.streaming_content)
    return {
        "status": response.status_code,
        "headers": {name: response.get(name) for name in HEADERS if response.has_header(name)},
        "header_names": sorted(name.lower() for name in response.headers),
        "length": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "head": body[:300].decode("utf-8", "replace"),
    }


def anonymous_paths() -> list[str]:
    from bench.api import plan

    api = "/api/v1"
    paths = [p for label, ps, signed_in in plan() if not signed_in for p in ps]
    return paths + [
        f"{api}/instruments/?region=nowhere",
        f"{api}/instruments/?page=999999",
        f"{api}/instruments/?page_size=abc",
        f"{api}/instruments/?trl_min=x",
        f"{api}/technologies/?trl_min=99",
        f"{api}/instruments/NO-SUCH-CODE/",
        f"{api}/instruments/NO-SUCH-CODE/availability/",
        f"{api}/instruments/x/availability/?start=bad",
        f"{api}/no/such/path/",
        f"{api}/instruments.json",
        f"{api}/instruments/?format=json",
        f"{api}/instruments/?format=xml",
        f"{api}/me/",
        f"{api}/bookings/",
        f"{api}/statistics/",
        f"{api}/search/suggest/?q=显微",
        f"{api}/search/?q=",
        f"{api}/schema/",
    ]


def run(output: str) -> None:
    from django.conf import settings
    from django.core.cache import caches
    from django.test import Client

    from bench.api import QUEUE_INSTITUTION, seed_queue
    from marketplace.accounts.models import User
    from marketplace.bookings.models import Booking

    seed_queue()
    caches[settings.PAGE_CACHE_ALIAS].clear()
    found: dict[str, dict] = {}
    paths = anonymous_paths()
    for language in ("zh-hans", "en"):
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        for mode in ("off", "miss", "hit"):
            settings.PAGE_CACHE_ENABLED = mode != "off"
            for path in paths:
                found[f"{language} anonymous {mode} GET {path}"] = record(client.get(path))
        settings.PAGE_CACHE_ENABLED = True
        one = "/api/v1/instruments/"
        for accept in (
            "application/json",
            "*/*",
            "application/json; indent=4",
            "text/html",
            "application/json;q=0.9, text/html",
            "application/xml",
        ):
            found[f"{language} anonymous Accept {accept!r} {one}"] = record(
                client.get(one, HTTP_ACCEPT=accept)
            )
        found[f"{language} anonymous POST {one}"] = record(client.post(one, {}))
        found[f"{language} anonymous OPTIONS {one}"] = record(client.options(one))
        found[f"{language} anonymous HEAD {one}"] = record(client.head(one))
        found[f"{language} anonymous POST bad JSON token"] = record(
            client.post("/api/v1/auth/token/", "{not json", content_type="application/json")
        )
        statuses = set()
        for _ in range(35):  # AuthThrottle: 30 a minute, then 429
            response = client.post(
                "/api/v1/auth/register/", {"username": ""}, content_type="application/json"
            )
            # The wait it names depends on the second the run reaches the limit.
            statuses.add((response.status_code, re.sub(r"\d+", "N", response.content.decode())))
        found[f"{language} anonymous register x35"] = {"answers": sorted(statuses)}
        caches["default"].clear()  # the throttle's counters, for the next language

        member = Client(HTTP_ACCEPT_LANGUAGE=language)
        member.force_login(User.objects.get(username="bench-queue-manager"))
        ids = list(
            Booking.objects.filter(instrument__institution__code=QUEUE_INSTITUTION)
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        )
        signed = [
            "/api/v1/me/",
            "/api/v1/bookings/",
            "/api/v1/bookings/?page=2&page_size=50",
            *(f"/api/v1/bookings/{pk}/" for pk in ids),
            "/api/v1/payments/",
            "/api/v1/refunds/",
            "/api/v1/sample-orders/",
            "/api/v1/applications/",
            "/api/v1/inquiries/",
            "/api/v1/vouchers/balances/",
            "/api/v1/vouchers/applications/",
            f"/api/v1/institutions/{QUEUE_INSTITUTION}/availability/",
            "/api/v1/statistics/",
            f"/api/v1/statistics/institutions/{QUEUE_INSTITUTION}/",
            "/api/v1/bookings/999999999/",
            "/api/v1/instruments/",
        ]
        for path in signed:
            found[f"{language} member GET {path}"] = record(member.get(path))
        for pk in ids[:1]:
            path = f"/api/v1/bookings/{pk}/reject/"
            found[f"{language} member POST {path} (no reason)"] = record(
                member.post(path, {}, content_type="application/json")
            )
            path = f"/api/v1/bookings/{pk}/complete/"
            found[f"{language} member POST {path} (not paid)"] = record(
                member.post(path, {}, content_type="application/json")
            )
    Path(output).write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True))
    print(f"{len(found)} answers → {output}")


def compare(before: str, after: str) -> int:
    a = json.loads(Path(before).read_text())
    b = json.loads(Path(after).read_text())
    differ = [key for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]
    for key in differ:
        print(f"DIFFERS: {key}\n  before {a.get(key)}\n  after  {b.get(key)}")
    print(f"{len(a)} / {len(b)} answers, {len(differ)} differ")
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("-o", "--output")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        raise SystemExit(compare(*args.compare))
    catalogue_django.setup(args.database_url, page_cache=True)
    run(args.output)


if __name__ == "__main__":
    main()
