"""Bookings API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path("bookings/", api.BookingListView.as_view(), name="booking-list"),
    path("bookings/<int:pk>/", api.BookingDetailView.as_view(), name="booking-detail"),
    path("bookings/<int:pk>/approve/", api.ApproveView.as_view(), name="booking-approve"),
    path("bookings/<int:pk>/reject/", api.RejectView.as_view(), name="booking-reject"),
    path("bookings/<int:pk>/pay/", api.PayView.as_view(), name="booking-pay"),
    path(
        "bookings/<int:pk>/confirm-offline-payment/",
        api.ConfirmOfflinePaymentView.as_view(),
        name="booking-confirm-offline-payment",
    ),
    path("bookings/<int:pk>/cancel/", api.CancelView.as_view(), name="booking-cancel"),
    path("bookings/<int:pk>/complete/", api.CompleteView.as_view(), name="booking-complete"),
    path("bookings/<int:pk>/no-show/", api.NoShowView.as_view(), name="booking-no-show"),
    path(
        "institutions/<str:code>/stripe-connect/",
        api.StripeConnectView.as_view(),
        name="institution-stripe-connect",
    ),
]
