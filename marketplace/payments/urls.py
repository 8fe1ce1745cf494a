"""Payment routes outside the API: Stripe's webhook."""

from django.urls import path

from .webhooks import stripe_webhook

urlpatterns = [path("payments/stripe/webhook/", stripe_webhook, name="stripe-webhook")]
