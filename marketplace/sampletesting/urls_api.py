"""送样检测 API routes, included under /api/v1/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
