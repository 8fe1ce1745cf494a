"""Every API route answers its own paths: the order the routes are tried in (config/urls.py
puts the public catalogue and search reads first) shadows none of them."""

import re
from urllib.parse import unquote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

# Codes and ids a path may carry, including ones that spell another route's word.
pytestmark = pytest.mark.django_db

SAMPLES = {
    "code": ["YLU-SEM-01", "availability", "calendar.ics", "usage", "测试-1"],
    "pk": ["1"],
    "item": ["booking"],
    "format": ["json"],
}


def api_routes():
    (api,) = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    ]
    for pattern in api.url_patterns:
        if isinstance(pattern, URLPattern) and pattern.name:
            yield pattern


def test_each_api_route_resolves_its_own_paths():
    checked = 0
    for pattern in api_routes():
        names = re.findall(r"\(\?P<(\w+)>|<(?:\w+:)?(\w+)>", str(pattern.pattern))
        names = [a or b for a, b in names]
        for i in range(max((len(SAMPLES[n]) for n in names), default=1)):
            kwargs = {n: SAMPLES[n][i % len(SAMPLES[n])] for n in names}
            path = reverse(f"api:{pattern.name}", kwargs=kwargs)
            match = resolve(unquote(path))  # as the server hands it on
            assert match.view_name == f"api:{pattern.name}", path
            assert {k: str(v) for k, v in match.kwargs.items()} == kwargs, path
            checked += 1
    assert checked > 70  # every API route, several paths each


def test_an_unknown_api_path_still_gets_the_json_404(client):
    response = client.get("/api/v1/instruments/YLU-SEM-01/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
