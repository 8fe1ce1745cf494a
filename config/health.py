"""/healthz: is the database, the search engine and the task queue usable right now?

The database is essential: without it the answer is 503 ("down") and a load balancer takes this
server out. Search and the task queue have fallbacks (database search, inline tasks), so their
failure makes the status "degraded" — still 200.

The public body says only `{"status": "ok" | "degraded" | "down"}`: raw dependency errors
(host names, versions, exception text) are for operators. Staff users, and everyone when
HEALTHZ_DETAILS is on, also get each check with its timing and error.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.tasks import task_queue_status
from search.engines import get_engine


def _database() -> dict:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"engine": connections["default"].vendor}


def _timed(check: Callable[[], dict]) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
        ok = detail.pop("ok", True)
    except Exception as exc:  # noqa: BLE001 — any failure of a dependency is "not usable"
        detail = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        ok = False
    detail["ok"] = ok
    detail["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return detail


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {
        "database": _timed(_database),
        "search": _timed(lambda: get_engine().status()),
        "tasks": _timed(task_queue_status),
    }
    if not checks["database"]["ok"]:
        overall, code = "down", 503
    elif all(check["ok"] for check in checks.values()):
        overall, code = "ok", 200
    else:
        overall, code = "degraded", 200
    body: dict = {"status": overall}
    if _may_see_details(request, database_ok=checks["database"]["ok"]):
        body["checks"] = checks
    return JsonResponse(body, status=code)


def _may_see_details(request: HttpRequest, *, database_ok: bool) -> bool:
    if settings.HEALTHZ_DETAILS:
        return True
    if not database_ok:
        return False  # who is asking cannot even be looked up
    try:
        return bool(request.user.is_active and request.user.is_staff)
    except Exception:  # noqa: BLE001 — no user, no details
        return False
