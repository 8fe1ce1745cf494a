"""The API's JSON renderer (config.api.JSONRenderer, orjson) writes exactly the bytes DRF's
JSONRenderer writes, for whatever a serializer or view hands it, and answers a real request
with them; its content negotiation (config.api.ContentNegotiation) chooses what DRF's does."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import gc
import json
import weakref

import pytest
from django.http import Http404
from django.utils.translation import gettext_lazy, override
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import exceptions, renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api import ContentNegotiation, JSONRenderer
from marketplace.catalogue.api import InstrumentViewSet
from tests.factories import InstitutionFactory, InstrumentFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


class Colour(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    BIG = 3


def drf_or_error(data, media_type=None, context=None):
    """DRF's bytes, or the type of error DRF raises."""
    try:
        return renderers.JSONRenderer().render(data, media_type, context)
    except Exception as exc:  # noqa: BLE001 — the error is the answer compared
        return type(exc)


def ours_or_error(data, media_type=None, context=None):
    try:
        return JSONRenderer().render(data, media_type, context)
    except Exception as exc:  # noqa: BLE001
        return type(exc)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(["\u2028", "a\u2029b", "\x00\x1f\x7f", '"\\/', "显微镜 — “测试”", "😀"]),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, SHANGHAI])),
    st.dates(),
    st.times(),
    st.timedeltas(),
    st.uuids(),
    st.sampled_from([Colour.RED, Size.BIG, gettext_lazy("未找到"), b"bytes", {1, 2}]),
)
values = st.deferred(
    lambda: (
        scalars
        | st.lists(values, max_size=5)
        | st.tuples(values, values)
        | st.dictionaries(st.text(max_size=8), values, max_size=5)
        | st.dictionaries(st.integers(), values, max_size=2)
    )
)


@settings(max_examples=400, deadline=None)
@given(values)
def test_any_data_renders_to_drfs_bytes_or_drfs_error(data):
    assert ours_or_error(data) == drf_or_error(data)


@pytest.mark.parametrize(
    "value",
    [1e-4, 9.999999999999999e-05, 1e-5, 1e16, 9999999999999998.0, 1e300, -0.0, 0.1 + 0.2],
)
def test_floats_at_the_edges_of_pythons_plain_notation_render_as_drf_does(value):
    for data in (value, [value], {"v": value}, decimal.Decimal(repr(value))):
        assert ours_or_error(data) == drf_or_error(data)


def test_nan_and_infinity_are_refused_as_drf_refuses_them():
    for value in (float("nan"), float("inf"), -float("inf")):
        assert ours_or_error({"v": value}) is ValueError
        assert drf_or_error({"v": value}) is ValueError


def test_an_asked_indent_gives_drfs_indented_body():
    data = {"a": [1, {"b": "显微镜"}]}
    body = JSONRenderer().render(data, "application/json; indent=4", {})
    assert body == renderers.JSONRenderer().render(data, "application/json; indent=4", {})
    assert body.startswith(b'{\n    "a"')


def test_deeply_nested_data_renders_as_drf_does():
    data: list = []
    for _ in range(300):  # beyond orjson's 254 levels
        data = [data]
    assert ours_or_error(data) == drf_or_error(data)


@pytest.mark.django_db
def test_a_catalogue_list_answer_is_drfs_json_in_both_languages(api_client):
    institution = InstitutionFactory(name="云南大学\u2028分析中心")
    InstrumentFactory(institution=institution, name="扫描电子显微镜 “SEM”")
    InstrumentFactory(institution=institution, name="X-ray\u2029diffractometer")
    for language in ("zh-hans", "en"):
        response = api_client.get("/api/v1/instruments/", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        with override(language):
            assert response.content == renderers.JSONRenderer().render(response.data)
        assert b"\\u2029" in response.content
        assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_a_rendered_list_answer_is_freed_without_the_collector():
    """Once its body is written, a DRF response and its view no longer hold each other
    (config.api.release_view): the response and its rows are freed when the last reference
    to it goes, not by the cyclic collector at some later request."""
    InstrumentFactory(name="扫描电子显微镜")
    InstrumentFactory(name="X射线衍射仪")
    view = InstrumentViewSet.as_view({"get": "list"})
    gc.collect()
    gc.disable()
    try:
        response = view(APIRequestFactory().get("/api/v1/instruments/"))
        response.render()
        assert response.status_code == 200
        body = json.loads(response.content)
        assert [item["name"] for item in body["results"]] == [
            item["name"] for item in response.data["results"]
        ]
        assert body["count"] == 2
        response_ref = weakref.ref(response)
        rows_ref = weakref.ref(response.data["results"])
        del response
        assert response_ref() is None
        assert rows_ref() is None
    finally:
        gc.enable()


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"


def chosen(negotiation, path, accept, renderer_list, format_suffix):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    request = Request(APIRequestFactory().get(path, **headers))
    try:
        renderer, media_type = negotiation().select_renderer(request, renderer_list, format_suffix)
    except (exceptions.NotAcceptable, Http404) as exc:
        return type(exc)
    return type(renderer), media_type


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "application/json",
        "",
        "text/html",
        "application/json; indent=4",
        "application/*",
        "text/csv, */*",
        "application/json;q=0.5, text/csv",
        "text/csv",
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/instruments/", "/x/?format=json", "/x/?format=csv"])
@pytest.mark.parametrize("format_suffix", [None, "json", "csv"])
@pytest.mark.parametrize("first", ["json", "csv"])
def test_the_negotiation_chooses_what_drfs_chooses(accept, path, format_suffix, first):
    renderer_list = [JSONRenderer(), CSVRenderer()]
    if first == "csv":
        renderer_list.reverse()
    ours = chosen(ContentNegotiation, path, accept, renderer_list, format_suffix)
    assert ours == chosen(DefaultContentNegotiation, path, accept, renderer_list, format_suffix)
