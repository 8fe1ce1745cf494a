"""drain_search_index: deliver pending index updates (run from cron after an outage)."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.commands import Command as BaseCommand
from search import indexing


class Command(BaseCommand):
    help = _("把待投递的搜索索引更新送到每个引擎；--force 也重试尚在等待下次尝试的更新")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help=gettext("不等待重试间隔"))

    def handle(self, *args, force=False, **options):
        report = indexing.drain_all(force=force)
        self.stdout.write(
            gettext("已索引 %(indexed)s，已移除 %(removed)s，待投递 %(pending)s")
            % {
                "indexed": report.indexed,
                "removed": report.removed,
                "pending": indexing.pending_count(),
            }
        )
        if report.error:
            raise CommandError(
                gettext("搜索引擎不可用，更新已保留待下次投递：%(error)s") % {"error": report.error}
            )
