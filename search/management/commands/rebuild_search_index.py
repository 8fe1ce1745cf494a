"""rebuild_search_index: rebuild the embedded index and, if configured, Elasticsearch."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from search import documents, indexing
from search.engines import database_engine, get_engine
from search.query import SearchUnavailable


class Command(BaseCommand):
    help = (
        "重建搜索索引（带进度条；Elasticsearch 上建新索引后切换别名，不中断搜索）/ Rebuild the "
        "search indexes with a progress bar; on Elasticsearch a new index replaces the old one "
        "by an alias swap, with no downtime."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--engine",
            choices=["all", "database", "elasticsearch"],
            default="all",
            help="which index to rebuild (default: the database one and the configured engine)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, engine="all", no_progress=False, **options):
        configured = get_engine()
        targets = []
        if engine in ("all", "database"):
            targets.append(database_engine())
        if engine in ("all", "elasticsearch") and configured is not database_engine():
            targets.append(configured)
        if engine == "elasticsearch" and len(targets) == 0:
            raise CommandError("Elasticsearch is not configured (set ELASTICSEARCH_URL).")
        total = documents.count_all()
        for target in targets:
            bar = tqdm(
                total=total,
                desc=target.name,
                unit="doc",
                disable=no_progress,
                file=self.stderr._out,
            )
            try:
                count = indexing.rebuild(target, progress=bar.update)
            except SearchUnavailable as error:
                raise CommandError(f"{target.name}: {error}") from error
            finally:
                bar.close()
            self.stdout.write(f"{target.name}: {count} documents indexed")
        self.stdout.write(self.style.SUCCESS("搜索索引已重建 / search index rebuilt"))
