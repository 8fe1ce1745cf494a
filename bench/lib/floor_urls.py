"""The project's URLs plus /bench/floor: a bare Django view, the floor every endpoint is
compared with (same server, same middleware, no database and no template); and
/bench/drf-noop: the same constant answer through a DRF APIView with the project's API
settings, so bench/api_overhead.py can tell DRF's own cost from a request's work."""

from django.http import JsonResponse
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as project_urlpatterns


def floor(request):
    return JsonResponse({"ok": True})


class DrfNoop(APIView):
    """No query, no serializer: what every API request pays before and after its own work."""

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [
    path("bench/floor", floor),
    path("bench/drf-noop", DrfNoop.as_view()),
    *project_urlpatterns,
]
