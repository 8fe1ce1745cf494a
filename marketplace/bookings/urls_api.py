"""Bookings API routes, included under /api/v1/."""

from django.urls import path

from marketplace.api import item_urlpatterns

from . import api

urlpatterns = [
    *item_urlpatterns(
        "bookings", "booking", api.BookingListView, api.BookingDetailView, api.action_patterns
    ),
    path("institutions/<str:code>/availability/", api.FloorView.as_view(), name="floor"),
]
