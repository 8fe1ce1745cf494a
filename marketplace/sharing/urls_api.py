"""开放共享评价 API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("statistics/", api.ProvinceStatisticsView.as_view(), name="statistics"),
    path(
        "statistics/institutions/<str:code>/",
        api.InstitutionStatisticsView.as_view(),
        name="statistics-institution",
    ),
    path(
        "statistics/instruments/<str:code>/",
        api.InstrumentStatisticsView.as_view(),
        name="statistics-instrument",
    ),
    path(
        "instruments/<str:code>/ratings/",
        api.InstrumentRatingsView.as_view(),
        name="instrument-ratings",
    ),
    *api.urlpatterns,
]
