"""Booking pages."""

from django.urls import path

from . import views

app_name = "bookings"

urlpatterns = [
    path("bookings/", views.my_bookings, name="mine"),
    path("bookings/queue/", views.queue, name="queue"),
    path("bookings/<int:pk>/", views.detail, name="detail"),
    path("bookings/<int:pk>/cancel/confirm/", views.cancel_confirm, name="cancel_confirm"),
    path("bookings/<int:pk>/<str:action>/", views.act, name="act"),
    path("instruments/<str:code>/book/", views.book, name="book"),
    path("instruments/<str:code>/calendar/", views.calendar, name="calendar"),
]
