"""Who is asking, and what a locked-out login attempt gets back (used by django-axes).

The client address is worked out once, the same way for the lockout (django-axes) and the API
throttles (DRF): with NUM_PROXIES = 0 the connecting address; with N proxies in front, the N-th
address from the right of X-Forwarded-For — the one the outermost trusted proxy saw. Addresses
a client writes into the header itself sit further left and are never believed.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import BaseThrottle


def client_ip(request: HttpRequest) -> str:
    """The client's address as DRF's throttles see it (REST_FRAMEWORK["NUM_PROXIES"])."""
    request = getattr(request, "_request", request)  # a DRF Request wraps the HttpRequest
    return BaseThrottle().get_ident(request) or ""


def lockout_minutes() -> int:
    from django.conf import settings

    return max(1, round(float(settings.AXES_COOLOFF_TIME or 0) * 60))


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """429: JSON in the API's error shape for /api/, else the login page's lockout notice."""
    message = _("登录失败次数过多，该账户在此地址已被暂时锁定，请 %(minutes)s 分钟后再试。") % {
        "minutes": lockout_minutes()
    }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "login_locked_out"}, status=429)
    response: HttpResponse = render(
        request, "registration/locked_out.html", {"message": message}, status=429
    )
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response
