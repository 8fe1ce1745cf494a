"""意向洽谈 pages."""

from django.urls import path

from marketplace.workflow_pages import page_urls

from . import views

app_name = "inquiries"

urlpatterns = [
    *page_urls(views, "inquiries/"),
    path("technologies/<str:code>/inquire/", views.new, name="new"),
]
