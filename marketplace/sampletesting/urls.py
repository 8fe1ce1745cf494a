"""送样检测 pages."""

from django.urls import path  # noqa: F401

app_name = "sampletesting"

urlpatterns: list = []
