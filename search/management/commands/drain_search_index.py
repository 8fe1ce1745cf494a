"""drain_search_index: deliver pending index updates (run from cron after an outage)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search import indexing


class Command(BaseCommand):
    help = (
        "投递待更新的搜索索引操作 / Deliver the pending index updates of the outbox to every "
        "engine; --force also retries updates that are waiting for their next attempt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="ignore retry back-off")

    def handle(self, *args, force=False, **options):
        report = indexing.drain_all(force=force)
        self.stdout.write(
            f"indexed {report.indexed}, removed {report.removed}, "
            f"pending {indexing.pending_count()}"
        )
        if report.error:
            raise CommandError(f"search engine unavailable, updates kept for later: {report.error}")
