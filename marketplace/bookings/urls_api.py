"""Bookings API routes, included under /api/v1/."""

from django.urls import path

from marketplace.api_views import workflow_urlpatterns

from . import api
from .actions import BOOKING_ACTIONS

urlpatterns = [
    *workflow_urlpatterns(
        BOOKING_ACTIONS,
        "bookings",
        api.BookingListView,
        api.booking_detail,
        api.BookingDetailSerializer,
        tags=["bookings"],
    ),
    path("institutions/<str:code>/availability/", api.FloorView.as_view(), name="floor"),
]
