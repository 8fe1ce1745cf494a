"""Bookings API routes, included under /api/v1/."""

from marketplace.api import item_urlpatterns

from . import api

urlpatterns = [
    *item_urlpatterns(
        "bookings", "booking", api.BookingListView, api.BookingDetailView, api.action_patterns
    ),
]
