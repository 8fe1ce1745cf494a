"""State of the background-task queue, for /healthz and operators."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

# A ready task older than this means no worker is taking tasks off the queue.
STALE_AFTER = timedelta(minutes=10)


def task_queue_status() -> dict:
    backend = settings.TASK_BACKEND
    if backend != "database":
        return {"backend": backend, "ok": True}
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.filter(status="READY")
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    waiting = ready.count()
    stale = oldest is not None and timezone.now() - oldest > STALE_AFTER
    return {
        "backend": backend,
        "ready": waiting,
        "oldest_ready_seconds": int((timezone.now() - oldest).total_seconds()) if oldest else 0,
        "ok": not stale,
    }
