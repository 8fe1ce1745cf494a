"""Against a real Elasticsearch node: the engine is chosen and reports the cluster healthy."""

import os

import pytest
from django.test import override_settings

from search.engines import ElasticsearchEngine, get_engine

pytestmark = [pytest.mark.elasticsearch, pytest.mark.django_db]


def test_engine_is_elasticsearch_and_reports_the_cluster():
    url = os.environ["ELASTICSEARCH_URL"]
    # HEALTHZ_DETAILS: the public body is only the status (issue 14).
    with override_settings(
        SEARCH_ENGINE="elasticsearch", ELASTICSEARCH_URL=url, HEALTHZ_DETAILS=True
    ):
        engine = get_engine()
        assert isinstance(engine, ElasticsearchEngine)
        status = engine.status()
    assert status["ok"] is True
    assert status["cluster_status"] in {"green", "yellow"}


def test_healthz_names_elasticsearch_when_it_is_configured(client):
    url = os.environ["ELASTICSEARCH_URL"]
    # HEALTHZ_DETAILS: the public body is only the status (issue 14).
    with override_settings(
        SEARCH_ENGINE="elasticsearch", ELASTICSEARCH_URL=url, HEALTHZ_DETAILS=True
    ):
        body = client.get("/healthz").json()
    assert body["checks"]["search"]["engine"] == "elasticsearch"
    assert body["checks"]["search"]["ok"] is True
