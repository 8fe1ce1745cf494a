"""意向洽谈 pages."""

from django.urls import path  # noqa: F401

app_name = "inquiries"

urlpatterns: list = []
