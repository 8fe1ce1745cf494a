"""evaluate_search: nDCG@10 and recall@10 per engine over the judged query set."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.commands import Command as BaseCommand
from search.engines import database_engine, get_engine
from search.query import SearchUnavailable
from search.relevance import JUDGED_QUERIES, evaluate, load_judgements


class Command(BaseCommand):
    help = _(
        "用评测查询集 search/data/judged_queries.json 评估每个引擎的 nDCG@10 和 recall@10"
        "（在演示数据上运行：load_demo、rebuild_search_index）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=["all", "database", "elasticsearch"], default="all")
        parser.add_argument("--verbose-queries", action="store_true", help=gettext("每个查询一行"))

    def handle(self, *args, engine="all", verbose_queries=False, **options):
        try:
            judgements = load_judgements()
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(
                gettext("无法读取 %(path)s：%(error)s") % {"path": JUDGED_QUERIES, "error": error}
            ) from error
        engines = []
        if engine in ("all", "database"):
            engines.append(database_engine())
        configured = get_engine()
        if engine in ("all", "elasticsearch"):
            if configured is database_engine():
                if engine == "elasticsearch":
                    raise CommandError(
                        gettext("未配置 Elasticsearch（请设置 ELASTICSEARCH_URL）。")
                    )
            else:
                engines.append(configured)
        for target in engines:
            try:
                result = evaluate(target, judgements)
            except SearchUnavailable as error:
                raise CommandError(f"{target.name}: {error}") from error
            self.stdout.write(
                gettext("%(engine)s：%(count)s 个查询")
                % {"engine": target.name, "count": len(result.rows)}
                + f"  nDCG@10 {result.ndcg:.3f}  recall@10 {result.recall:.3f}"
            )
            for name, (count, ndcg, recall) in result.by_type().items():
                self.stdout.write(
                    f"  {name:14} {count:3}  nDCG@10 {ndcg:.3f}  recall@10 {recall:.3f}"
                )
            if verbose_queries:
                for row in result.rows:
                    self.stdout.write(
                        f"    {row['ndcg']:.2f} {row['recall']:.2f}  {row['q']}  → {row['ranked'][:5]}"
                    )
