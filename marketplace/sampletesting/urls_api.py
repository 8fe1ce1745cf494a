"""送样检测 API routes, included under /api/v1/."""

from . import api

urlpatterns = api.urlpatterns
