"""API error bodies answer in the requester's language only (Accept-Language), say so in
Content-Language, and keep their shape and codes: the same request in Chinese and in English
differs only in the human text."""

import re

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.booking_fixtures import at
from tests.factories import InstrumentFactory, UserFactory

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3400-\u9fff]")
LANGUAGES = ["zh-hans", "en"]


def client_for(language: str, user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        token = Token.objects.get_or_create(user=user)[0].key
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_ACCEPT_LANGUAGE=language)
    return client


def messages_of(body: dict) -> list[str]:
    if "detail" in body:
        return [body["detail"]]
    return [message for messages in body["errors"].values() for message in messages]


def assert_one_language(response, language: str) -> None:
    """Content-Language names the language, and every message is written in it alone."""
    assert response["Content-Language"] == language
    for message in messages_of(response.json()):
        if language == "en":
            assert not CJK.search(message), message
        else:
            assert CJK.search(message), message
            assert " / " not in message, message  # no English half after a slash


# (case, expected status, field or "detail", Chinese text, English text)
CATALOGUE_CASES = [
    (
        "unknown path",
        "/api/v1/no-such-thing/",
        {},
        404,
        "detail",
        "未找到",
        "Not found",
    ),
    (
        "unknown filter value",
        "/api/v1/instruments/",
        {"category": "telepathy"},
        400,
        "category",
        "未知取值 'telepathy'；可选：analytical,",
        "Unknown value 'telepathy'; allowed: analytical,",
    ),
    (
        "search text too long",
        "/api/v1/technologies/",
        {"q": "长" * 101},
        400,
        "q",
        "搜索词最长 100 个字符",
        "The search text may be at most 100 characters",
    ),
    (
        "TRL out of range",
        "/api/v1/technologies/",
        {"trl_min": "12"},
        400,
        "trl_min",
        "应为 1–9 的整数",
        "Must be an integer from 1 to 9",
    ),
    (
        "availability without dates",
        "/api/v1/instruments/{code}/availability/",
        {},
        400,
        "range",
        "start 和 end 均为必填（YYYY-MM-DD）",
        "start and end are both required (YYYY-MM-DD)",
    ),
    (
        "availability with a date that does not exist",
        "/api/v1/instruments/{code}/availability/",
        {"start": "2026-02-30", "end": "2026-03-01"},
        400,
        "range",
        "日期格式应为 YYYY-MM-DD 且为真实日期",
        "Dates must be real dates written as YYYY-MM-DD",
    ),
    (
        "availability ending before it starts",
        "/api/v1/instruments/{code}/availability/",
        {"start": "2026-12-10", "end": "2026-12-01"},
        400,
        "range",
        "end 不能早于 start",
        "end must not be before start",
    ),
    (
        "availability over too many days",
        "/api/v1/instruments/{code}/availability/",
        {"start": "2026-01-01", "end": "2026-12-31"},
        400,
        "range",
        "查询范围最多 62 天",
        "The range may span at most 62 days",
    ),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("case", "path", "params", "status", "field", "zh", "en"),
    CATALOGUE_CASES,
    ids=[case[0] for case in CATALOGUE_CASES],
)
def test_public_api_errors_answer_in_the_requested_language(
    language, case, path, params, status, field, zh, en
):
    instrument = InstrumentFactory(code="YLU-SEM-01")
    response = client_for(language).get(path.format(code=instrument.code), params)
    assert response.status_code == status
    body = response.json()
    text = body["detail"] if field == "detail" else body["errors"][field][0]
    assert text.startswith(zh if language == "zh-hans" else en), text
    assert_one_language(response, language)


def test_the_same_error_keeps_its_shape_in_both_languages():
    answers = {
        language: client_for(language).get("/api/v1/instruments/", {"region": "nowhere"}).json()
        for language in LANGUAGES
    }
    assert answers["zh-hans"].keys() == answers["en"].keys() == {"errors"}
    assert answers["zh-hans"]["errors"].keys() == answers["en"]["errors"].keys() == {"region"}
    assert answers["zh-hans"] != answers["en"]


BOOKING_CASES = [
    (
        "unknown instrument",
        {"instrument": "NOPE"},
        "instrument",
        "仪器不存在",
        "Instrument not found",
    ),
    (
        "not a time",
        {"start": "tomorrow morning"},
        "start",
        "不是有效的 ISO 8601 时间",
        "Not an ISO 8601 date and time",
    ),
    (
        "a time without its offset",
        {"end": "2026-12-09T10:00:00"},
        "end",
        "时间须带时区偏移（例如 +08:00）",
        "Include a UTC offset (e.g. +08:00)",
    ),
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    ("case", "change", "field", "zh", "en"), BOOKING_CASES, ids=[c[0] for c in BOOKING_CASES]
)
def test_booking_request_errors_answer_in_the_requested_language(
    booking_world, language, case, change, field, zh, en
):
    instrument, startup, _manager, day = booking_world
    body = {
        "instrument": instrument.code,
        "start": at(day, "09:00").isoformat(),
        "end": at(day, "10:00").isoformat(),
        "purpose": "表面形貌",
        **change,
    }
    response = client_for(language, startup).post("/api/v1/bookings/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"errors": {field: [zh if language == "zh-hans" else en]}}
    assert_one_language(response, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_payments_api_errors_answer_in_the_requested_language(booking_world, language, settings):
    instrument, startup, manager, _day = booking_world
    code = instrument.institution.code
    outsider = client_for(language, UserFactory(username="outsider"))
    payee = {"account_name": "云岭理工大学", "bank": "建设银行", "account_number": "6217 0001"}
    missing = outsider.put(f"/api/v1/institutions/{code}/payee/", payee, format="json")
    assert missing.status_code == 404
    assert missing.json() == {
        "detail": "机构不存在" if language == "zh-hans" else "Institution not found"
    }
    assert_one_language(missing, language)

    settings.STRIPE_SECRET_KEY = ""
    offline = client_for(language, manager).post(f"/api/v1/institutions/{code}/stripe-connect/")
    assert offline.status_code == 400
    assert offline.json() == {
        "errors": {
            "non_field_errors": [
                "未启用在线支付" if language == "zh-hans" else "Online payment is not configured"
            ]
        }
    }
    assert_one_language(offline, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_bank_transfer_instructions_are_in_the_payers_language(booking_world, language):
    instrument, startup, manager, day = booking_world
    payer = client_for(language, startup)
    booked = payer.post(
        "/api/v1/bookings/",
        {
            "instrument": instrument.code,
            "start": at(day, "09:00").isoformat(),
            "end": at(day, "10:00").isoformat(),
            "purpose": "表面形貌",
        },
        format="json",
    )
    pk = booked.json()["id"]
    assert client_for(language, manager).post(f"/api/v1/bookings/{pk}/approve/").status_code == 200
    answer = payer.post(f"/api/v1/bookings/{pk}/pay/", {"method": "offline"}, format="json")
    assert answer.status_code == 200, answer.json()
    reference = answer.json()["reference_code"]
    expected = (
        f"请向 云岭理工大学 对公转账并在附言中注明 {reference}"
        if language == "zh-hans"
        else f"Pay 云岭理工大学 by bank transfer quoting {reference}"
    )
    assert answer.json()["instructions"] == expected
    assert answer["Content-Language"] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_frameworks_own_refusals_follow_the_language_too(language):
    """DRF's messages (authentication, a malformed body) come from its own catalogues."""
    refused = client_for(language).get("/api/v1/me/")
    assert refused.status_code in (401, 403)
    assert_one_language(refused, language)
    malformed = client_for(language, UserFactory(username="someone")).post(
        "/api/v1/bookings/", "{not json", content_type="application/json"
    )
    assert malformed.status_code == 400
    assert malformed.json() == {
        "errors": {
            "non_field_errors": [
                "请求体不是有效的 JSON：第 1 行第 2 列"
                if language == "zh-hans"
                else "The body is not valid JSON: line 1, column 2"
            ]
        }
    }
    assert_one_language(malformed, language)
