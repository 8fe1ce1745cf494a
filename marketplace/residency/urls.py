"""入孵申请 pages."""

from django.urls import path  # noqa: F401

app_name = "residency"

urlpatterns: list = []
