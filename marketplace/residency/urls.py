"""入孵申请 pages."""

from django.urls import path

from . import views

app_name = "residency"

urlpatterns = [
    path("incubators/<str:code>/apply/", views.apply, name="apply"),
    path("residency/applications/", views.mine, name="mine"),
    path("residency/queue/", views.queue, name="queue"),
    path("residency/applications/<int:pk>/", views.detail, name="detail"),
    path(
        "residency/applications/<int:pk>/business-plan/",
        views.business_plan,
        name="business_plan",
    ),
    path("residency/applications/<int:pk>/<str:action>/", views.act, name="act"),
]
