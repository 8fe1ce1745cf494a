"""意向洽谈 API routes, included under /api/v1/ (before the catalogue router)."""

from . import api

urlpatterns = api.urlpatterns
