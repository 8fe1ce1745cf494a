"""API wiring: the DRF exception handler (API.md's error envelope), the schema hook, JSON 404."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, parsers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.api import workflow_error_response
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
