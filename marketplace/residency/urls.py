"""入孵申请 pages."""

from django.urls import path

from marketplace.workflow_pages import page_urls

from . import views

app_name = "residency"

urlpatterns = [
    path("incubators/<str:code>/apply/", views.apply, name="apply"),
    *page_urls(
        views,
        "residency/applications/",
        "residency/queue/",
        item_pages=[("business-plan/", views.business_plan, "business_plan")],
    ),
]
