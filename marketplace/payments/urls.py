"""Payment routes outside the API: Stripe's webhook, and the payment pages."""

from django.urls import path

from . import views
from .webhooks import stripe_webhook

app_name = "payments"

urlpatterns = [
    path("payments/stripe/webhook/", stripe_webhook, name="stripe-webhook"),
    path("payments/", views.history, name="history"),
    path("payments/<int:pk>/voucher/", views.voucher, name="voucher"),
    path("refunds/<int:pk>/complete/", views.complete_refund, name="complete_refund"),
    path("institutions/<str:code>/ledger/", views.ledger, name="ledger"),
    path("institutions/<str:code>/payee/", views.payee, name="payee"),
]
