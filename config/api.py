"""API wiring: the DRF exception handler (API.md's error envelope), the schema hook, JSON 404."""

from __future__ import annotations

from typing import Any

from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from marketplace.api import workflow_error_response
from marketplace.workflow import WorkflowError


def _as_lists(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _as_lists(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(isinstance(item, str) for item in detail):
            return [str(item) for item in detail]
        return [_as_lists(item) for item in detail]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """400 → {"errors": {field: [messages]}}; everything else keeps {"detail": "..."}.

    A workflow refusal raised by a service (marketplace.workflow) needs no try/except in the
    view: it arrives here and gets its status and stable code.
    """
    if isinstance(exc, WorkflowError):
        return workflow_error_response(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if not isinstance(detail, dict):
            detail = {"non_field_errors": detail}
        response.data = {"errors": _as_lists(detail)}
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

    return JsonResponse({"detail": "未找到 / not found"}, status=404)
