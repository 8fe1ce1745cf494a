"""入孵申请 API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "incubators/<str:code>/applications/",
        api.IncubatorApplicationsView.as_view(),
        name="incubator-applications",
    ),
    *api.urlpatterns,
    path(
        "applications/<int:pk>/comments/", api.CommentsView.as_view(), name="application-comments"
    ),
    path(
        "applications/<int:pk>/business-plan/",
        api.BusinessPlanView.as_view(),
        name="application-business-plan",
    ),
]
