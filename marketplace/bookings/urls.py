"""Booking pages."""

from django.urls import path

from marketplace.workflow_pages import page_urls

from . import views

app_name = "bookings"

urlpatterns = [
    *page_urls(
        views, "bookings/", item_pages=[("cancel/confirm/", views.cancel_confirm, "cancel_confirm")]
    ),
    path("instruments/<str:code>/book/", views.book, name="book"),
    path("instruments/<str:code>/calendar/", views.calendar, name="calendar"),
    path("institutions/<str:code>/availability/", views.floor, name="floor"),
]
