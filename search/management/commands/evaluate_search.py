"""evaluate_search: nDCG@10 and recall@10 per engine over the judged query set."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from search.engines import database_engine, get_engine
from search.query import SearchUnavailable
from search.relevance import JUDGED_QUERIES, evaluate, load_judgements


class Command(BaseCommand):
    help = (
        "用评测查询集评估搜索相关性 / Print nDCG@10 and recall@10 of each engine over "
        "search/data/judged_queries.json (run on the demo data: load_demo, rebuild_search_index)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--engine", choices=["all", "database", "elasticsearch"], default="all")
        parser.add_argument("--verbose-queries", action="store_true", help="one line per query")

    def handle(self, *args, engine="all", verbose_queries=False, **options):
        try:
            judgements = load_judgements()
        except (OSError, ValueError, KeyError) as error:
            raise CommandError(f"cannot read {JUDGED_QUERIES}: {error}") from error
        engines = []
        if engine in ("all", "database"):
            engines.append(database_engine())
        configured = get_engine()
        if engine in ("all", "elasticsearch"):
            if configured is database_engine():
                if engine == "elasticsearch":
                    raise CommandError("Elasticsearch is not configured (set ELASTICSEARCH_URL).")
            else:
                engines.append(configured)
        for target in engines:
            try:
                result = evaluate(target, judgements)
            except SearchUnavailable as error:
                raise CommandError(f"{target.name}: {error}") from error
            self.stdout.write(
                f"{target.name}: {len(result.rows)} queries  "
                f"nDCG@10 {result.ndcg:.3f}  recall@10 {result.recall:.3f}"
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
