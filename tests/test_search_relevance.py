"""Relevance on the demo data: the judged query set meets the target on the embedded engine
(the Elasticsearch run is in `manage.py evaluate_search`, numbers in docs/performance.md)."""

import pytest

from search.engines import database_engine
from search.relevance import evaluate, load_judgements, ndcg, recall

pytestmark = pytest.mark.django_db

# the forms issue 16 asked for: English, codes, full pinyin and mixed
NEW_FORMS = {"english", "code", "full-pinyin", "mixed"}


@pytest.fixture(autouse=True)
def _database_engine(settings):
    settings.SEARCH_ENGINE = "database"


def test_metrics_on_a_hand_computed_example():
    assert ndcg(["a", "b"], {"a": 3}) == 1.0
    assert ndcg(["b", "a"], {"a": 3}) == pytest.approx(1 / 1.5849625, rel=1e-4)
    assert recall(["a", "x"], {"a": 3, "b": 1}) == 0.5


def test_judged_set_is_large_and_varied():
    judged = load_judgements()
    assert len(judged) >= 86  # the 56 earlier queries and at least 30 more (issue 16)
    assert len([q for q in judged if q["type"] in NEW_FORMS]) >= 30
    types = {item["type"] for item in judged}
    assert {"pinyin", "initials", "synonym", "model", "misspelling", "abbreviation"} <= types


def test_demo_data_meets_the_relevance_target(django_capture_on_commit_callbacks):
    from cms.demo import load_demo_pages
    from marketplace.demo import load_demo_catalogue

    with django_capture_on_commit_callbacks(execute=True):
        load_demo_catalogue()
        load_demo_pages()
    from search import indexing

    indexing.rebuild(database_engine())  # the importer writes in bulk, without signals
    result = evaluate(database_engine())
    # issue 16: nDCG@10 ≥ 0.95 on the whole set (0.985–0.986 measured, docs/performance.md)
    assert result.ndcg >= 0.95
    assert result.recall >= 0.9
