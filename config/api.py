"""API wiring: the JSON renderer and parser, the DRF exception handler (API.md's error
envelope), the schema hook, JSON 404."""

from __future__ import annotations

import enum
import json
from typing import Any

import orjson
from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, parsers, renderers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.api import PlainItems, workflow_error_response
from marketplace.workflow import WorkflowError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a body that nests too deeply refused as a 400, not a 500.

    config.middleware.RequestLimitsMiddleware refuses such bodies before any view runs; this is
    the second line for a body that reaches a parser some other way.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 嵌套层级过深。")) from None
        except exceptions.ParseError as exc:
            # DRF's message ends with the json module's English ("Expecting value: …"): say it
            # in the reader's language, with where the fault is.
            cause = exc.__context__
            if isinstance(cause, json.JSONDecodeError):
                raise exceptions.ParseError(
                    _("请求体不是有效的 JSON：第 %(line)s 行第 %(column)s 列")
                    % {"line": cause.lineno, "column": cause.colno}
                ) from None
            raise exceptions.ParseError(_("请求体不是有效的 JSON")) from None
        if _depth(data) > settings.JSON_MAX_DEPTH:
            raise exceptions.ParseError(_("JSON 嵌套层级过深。"))
        return data


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON renderer with the same bytes made by orjson, a tenth of the time.

    What DRF writes (UNICODE_JSON, COMPACT_JSON, STRICT_JSON: no ASCII escapes, no spaces,
    U+2028/U+2029 escaped) is what orjson writes for strings, integers, lists and dicts; the
    rest goes through DRF's own encoder (`JSONEncoder.default`: lazy translations, dates and
    times, Decimal, UUID, …) as it would. DRF renders the body itself whenever the bytes could
    differ: a float that Python writes with an exponent or cannot write (NaN, ±Infinity), a
    pure Enum, an indent asked for (`application/json; indent=4`), anything orjson refuses
    (non-string keys, integers beyond 64 bits, nesting beyond 254 levels).
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = renderer_context.get("response") if renderer_context else None
        if response is not None:
            response.add_post_render_callback(release_view)
        if (
            data is None
            or not _SAME_OUTPUT
            or (accepted_media_type and ";" in accepted_media_type)
            or (renderer_context and renderer_context.get("indent") is not None)
            or not _orjson_writes_as_drf(data)
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if b"\xe2\x80" in body:  # the first two bytes of U+2028 and U+2029 in UTF-8
            body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return body


def release_view(response) -> None:
    """Once a DRF response is rendered, it and its view let go of each other.

    DRF leaves them in reference cycles: the renderer context holds the response itself and
    the view, and the view holds the response (`view.response`). So a response and everything
    in its `data` (a list's 100 rows: their dicts, strings and amounts) outlived the request
    until the collector's next pass over the young objects, which then freed about ten
    requests' rows at once, inside whichever request it interrupted (2–5 ms at page_size=100;
    docs/performance.md). Without the cycles the server's last reference frees them at the end
    of their own request. `response.data` stays readable; nothing reads the renderer context
    after the body is made (DRF drops it when pickling a response, too)."""
    context = response.renderer_context
    response.renderer_context = None
    view = context.get("view") if context else None
    if view is not None and getattr(view, "response", None) is response:
        view.response = None


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answered at once for what nearly every client sends: no Accept
    header, `*/*` or `application/json`, no `?format=` and no `.json` suffix, with JSON the
    view's first renderer — DRF's answer then is that renderer and `application/json`, after
    parsing the header and every renderer's media type on each request."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            renderers
            and renderers[0].media_type == _JSON
            and not format_suffix
            and request.META.get("HTTP_ACCEPT", "*/*") in _PLAIN_ACCEPT
            and not request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        ):
            return renderers[0], _JSON
        return super().select_renderer(request, renderers, format_suffix)


_JSON = "application/json"
_PLAIN_ACCEPT = frozenset({"*/*", _JSON})


# DRF's settings the renderer reproduces; any other makes it DRF's renderer again.
_SAME_OUTPUT = (
    not renderers.JSONRenderer.ensure_ascii
    and renderers.JSONRenderer.compact
    and renderers.JSONRenderer.strict
    and renderers.JSONRenderer.encoder_class is JSONEncoder
)
# Dates, times and dataclasses go to `default` (DRF's encoder), not orjson's own format.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_ENCODER = JSONEncoder()
_SCALARS = frozenset({str, int, bool, type(None)})


def _plain_float(value: float) -> bool:
    """Whether Python writes `value` without an exponent (as orjson does then, digit for
    digit): zero, or 0.0001 ≤ |value| < 10¹⁶; never NaN or ±Infinity (DRF refuses them)."""
    size = abs(value)
    return size == 0.0 or 1e-4 <= size < 1e16


def _orjson_writes_as_drf(data) -> bool:
    """Whether nothing in `data` is a value orjson writes otherwise than DRF: a float outside
    `_plain_float`, an Enum that is not a str or int. Other objects reach `_default`."""
    stack = [data]
    pop, push = stack.pop, stack.extend
    while stack:
        value = pop()
        kind = type(value)
        if kind in _SCALARS or kind is PlainItems:
            # PlainItems: a values plan's items, plain by construction (marketplace.api).
            continue
        if kind is dict or isinstance(value, dict):
            push(value.values())
        elif kind is list or kind is tuple or isinstance(value, (list, tuple)):
            push(value)
        elif isinstance(value, float):
            if not _plain_float(value):
                return False
        elif isinstance(value, enum.Enum) and not isinstance(value, (str, int)):
            return False
    return True


def _default(value):
    """What DRF's encoder makes of a value orjson does not write itself; a value that could
    come out otherwise (a Decimal as a float with an exponent) makes DRF render the body."""
    converted = _ENCODER.default(value)
    if not _orjson_writes_as_drf(converted):
        raise TypeError("rendered by DRF")
    return converted


def _depth(value: Any) -> int:
    """Nesting depth of parsed JSON, iteratively (no recursion to exhaust)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            items = item.values()
        elif isinstance(item, list):
            items = item
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in items)
    return deepest


def _flat_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's error detail as API.md's flat {field: [messages]}.

    A nested serializer's errors become dotted keys (`invoice.tax_id`), a list item's get its
    index (`items.0.name`), so every value is a list of strings, as the schema documents.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            flat.update(_flat_errors(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(detail, list) and all(not isinstance(i, (dict, list)) for i in detail):
        flat.setdefault(prefix or "non_field_errors", []).extend(str(i) for i in detail)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                flat.update(_flat_errors(item, f"{prefix}.{index}" if prefix else str(index)))
            else:
                flat.setdefault(prefix or "non_field_errors", []).append(str(item))
    else:
        flat.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return flat


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """400 → {"errors": {field: [messages]}}; everything else keeps {"detail": "..."}.

    A workflow refusal raised by a service (marketplace.workflow) needs no try/except in the
    view: it arrives here and gets its status and stable code.
    """
    if isinstance(exc, WorkflowError):
        return workflow_error_response(exc)
    if isinstance(exc, OverflowError):
        # A date or number far outside any sensible range (year 9999 plus a day, …) is bad
        # input, not a server fault: the same 400 as any other invalid value.
        return Response(
            {
                "errors": {"non_field_errors": [_("数值或日期超出允许范围。")]},
                "code": "out_of_range",
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"errors": _flat_errors(exc.detail)}
        response.status_code = status.HTTP_400_BAD_REQUEST
    elif response.status_code == status.HTTP_400_BAD_REQUEST:
        # Malformed bodies (ParseError) use the same 400 envelope as validation errors.
        response.data = {"errors": {"non_field_errors": [str(exc.detail)]}}
    return response


def only_public_api(endpoints: list) -> list:
    """drf-spectacular hook: the schema documents /api/v1/ only, not Wagtail's admin API."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Any /api/v1/ path that matches no route: a JSON 404, like every other API answer."""
    from django.http import JsonResponse

    return JsonResponse({"detail": _("未找到")}, status=404)
