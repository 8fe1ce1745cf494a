"""Bookings API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("bookings/", api.BookingListView.as_view(), name="booking-list"),
    path("bookings/<int:pk>/", api.BookingDetailView.as_view(), name="booking-detail"),
    *api.action_patterns,
]
