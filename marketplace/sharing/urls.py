"""Open-sharing pages."""

from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/institution/", views.dashboard, name="dashboard"),
    path(
        "statistics/institution/<int:pk>/evaluation.<str:extension>",
        views.export,
        name="export",
    ),
    path("statistics/moderation/", views.moderation, name="moderation"),
    path("statistics/downtime/<int:pk>/", views.downtime, name="downtime"),
    path("statistics/ratings/<int:pk>/reply/", views.reply, name="reply"),
    path("statistics/rate/<str:kind>/<int:pk>/", views.rate, name="rate"),
]
