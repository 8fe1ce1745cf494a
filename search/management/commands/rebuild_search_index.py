"""rebuild_search_index: rebuild the embedded index and, if configured, Elasticsearch."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from tqdm import tqdm

from marketplace.commands import Command as BaseCommand
from search import documents, indexing
from search.engines import database_engine, get_engine
from search.query import SearchUnavailable


class Command(BaseCommand):
    help = _("重建搜索索引（带进度条；Elasticsearch 上建新索引后切换别名，不中断搜索）")

    def add_arguments(self, parser):
        parser.add_argument(
            "--engine",
            choices=["all", "database", "elasticsearch"],
            default="all",
            help=gettext("重建哪个索引（默认：数据库索引和已配置的引擎）"),
        )
        parser.add_argument("--no-progress", action="store_true", help=gettext("不显示进度条"))

    def handle(self, *args, engine="all", no_progress=False, **options):
        configured = get_engine()
        targets = []
        if engine in ("all", "database"):
            targets.append(database_engine())
        if engine in ("all", "elasticsearch") and configured is not database_engine():
            targets.append(configured)
        if engine == "elasticsearch" and len(targets) == 0:
            raise CommandError(gettext("未配置 Elasticsearch（请设置 ELASTICSEARCH_URL）。"))
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
            self.stdout.write(
                gettext("%(engine)s：已索引 %(count)s 个文档")
                % {"engine": target.name, "count": count}
            )
        self.stdout.write(self.style.SUCCESS(gettext("搜索索引已重建")))
