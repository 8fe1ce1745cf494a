"""送样检测 pages."""

from django.urls import path

from marketplace.workflow_pages import page_urls

from . import views

app_name = "sampletesting"

urlpatterns = [
    path("instruments/<str:code>/sample-order/", views.new, name="new"),
    *page_urls(views, "sample-orders/", item_pages=[("report/", views.report, "report")]),
]
