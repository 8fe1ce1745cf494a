"""Relevance evaluation: nDCG@10 and recall@10 of an engine over the judged query set."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from .analysis import DATA_DIR
from .query import parse_request, run

JUDGED_QUERIES = DATA_DIR / "judged_queries.json"
K = 10


def load_judgements(path=JUDGED_QUERIES) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["queries"]


def identifier(hit) -> str:
    """How judgements name a hit: a listing by its code, a page by kind:title."""
    return f"{hit.kind}:{hit.title}" if hit.kind in ("news", "policy") else hit.code


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = K) -> float:
    gains = [relevant.get(item, 0) for item in ranked[:k]]
    dcg = sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], relevant: dict[str, int], k: int = K) -> float:
    wanted = {item for item, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 1.0


@dataclass
class Evaluation:
    engine: str
    rows: list[dict] = field(default_factory=list)

    @property
    def ndcg(self) -> float:
        return sum(row["ndcg"] for row in self.rows) / len(self.rows) if self.rows else 0.0

    @property
    def recall(self) -> float:
        return sum(row["recall"] for row in self.rows) / len(self.rows) if self.rows else 0.0

    def by_type(self) -> dict[str, tuple[int, float, float]]:
        types: dict[str, list[dict]] = {}
        for row in self.rows:
            types.setdefault(row["type"], []).append(row)
        return {
            name: (
                len(rows),
                sum(r["ndcg"] for r in rows) / len(rows),
                sum(r["recall"] for r in rows) / len(rows),
            )
            for name, rows in sorted(types.items())
        }


def evaluate(engine, judgements: list[dict] | None = None) -> Evaluation:
    evaluation = Evaluation(engine.name)
    for judged in judgements or load_judgements():
        result = run(engine, parse_request({"q": judged["q"], "page_size": str(K)}))
        ranked = [identifier(hit) for hit in result.hits]
        evaluation.rows.append(
            {
                "q": judged["q"],
                "type": judged.get("type", ""),
                "ndcg": ndcg(ranked, judged["relevant"]),
                "recall": recall(ranked, judged["relevant"]),
                "ranked": ranked,
                "relevant": judged["relevant"],
            }
        )
    return evaluation
