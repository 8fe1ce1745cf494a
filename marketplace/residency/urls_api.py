"""入孵申请 API routes, included under /api/v1/."""

from . import api

urlpatterns = api.urlpatterns
