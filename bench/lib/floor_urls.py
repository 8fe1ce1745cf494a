"""The project's URLs plus /bench/floor: a bare Django view, the floor every endpoint is
compared with (same server, same middleware, no database and no template)."""

from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def floor(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/floor", floor), *project_urlpatterns]
