"""开放共享评价 API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    *api.urlpatterns,
    path(
        "instruments/<str:code>/ratings/",
        api.InstrumentRatingsView.as_view(),
        name="instrument-ratings",
    ),
]
