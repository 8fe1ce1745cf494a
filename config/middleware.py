"""Request limits every view relies on: body size and JSON nesting, checked before parsing.

- A declared body larger than REQUEST_MAX_BYTES (JSON_MAX_BYTES for JSON) is a 413 before a
  byte of it is read — JSON for /api/, a short page elsewhere — instead of Django's HTML 400.
- A JSON body nested deeper than JSON_MAX_DEPTH is a 400 in the API's error shape, before any
  parser recurses into it (Python's json module would raise RecursionError, a 500).
"""

from __future__ import annotations

import re
from itertools import accumulate

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# A JSON string literal (with escapes): brackets inside strings do not nest anything.
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_A_BRACKET = re.compile(rb"[^\[\]{}]")
_DEPTH_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays/objects in `body` (0 for a scalar), without parsing it."""
    if body.count(b"[") + body.count(b"{") == 0:
        return 0
    brackets = _NOT_A_BRACKET.sub(b"", _JSON_STRING.sub(b'""', body))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0)


def _is_json(request: HttpRequest) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
    return content_type == "application/json" or content_type.endswith("+json")


def _error(request: HttpRequest, status: int, message: str, code: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        if status == 400:
            body = {"errors": {"non_field_errors": [message]}, "code": code}
        else:
            body = {"detail": message, "code": code}
        return JsonResponse(body, status=status)
    return render(
        request, "request_refused.html", {"message": message, "status": status}, status=status
    )


class RequestLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in _BODY_METHODS:
            refused = self.refuse(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def refuse(self, request: HttpRequest) -> HttpResponse | None:
        raw_length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw_length)
        except ValueError:
            length = -1
        if length < 0:
            return _error(
                request,
                400,
                _("请求头 Content-Length 无效。"),
                "bad_content_length",
            )
        is_json = _is_json(request)
        limit = settings.JSON_MAX_BYTES if is_json else settings.REQUEST_MAX_BYTES
        if length > limit:
            return _error(
                request,
                413,
                _("请求内容过大，最多 %(limit)s 字节。") % {"limit": limit},
                "request_too_large",
            )
        if is_json and length:
            depth = json_depth(request.body)
            if depth > settings.JSON_MAX_DEPTH:
                return _error(
                    request,
                    400,
                    _("JSON 嵌套层级过深（最多 %(limit)s 层）。")
                    % {"limit": settings.JSON_MAX_DEPTH},
                    "json_too_deep",
                )
        return None


# The editors' admin (Wagtail at /admin/) still writes a few inline scripts of its own (date
# pickers, inline panels); only there, behind the staff login, may inline script run.
ADMIN_PREFIXES = ("/admin/",)


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with one relaxation: inline script inside the Wagtail admin."""

    def get_policy_parts(self, request, response, report_only: bool = False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if request.path_info.startswith(ADMIN_PREFIXES) and parts.replace is None:
            parts.replace = {"script-src": ["'self'", "'unsafe-inline'"]}
        return parts
