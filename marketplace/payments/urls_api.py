"""Payments API routes, included under /api/v1/."""

from django.urls import path

from . import api

urlpatterns = [
    path(
        "institutions/<str:code>/stripe-connect/",
        api.StripeConnectView.as_view(),
        name="institution-stripe-connect",
    ),
]
