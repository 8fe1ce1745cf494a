"""Bookings app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "marketplace.bookings"
    label = "bookings"
    verbose_name = _("仪器预约")

    def ready(self):
        from marketplace.accounts.calendar import EVENT_SOURCES
        from marketplace.catalogue.availability import BUSY_SOURCES

        from .calendar import booking_events
        from .payments import STRIPE_PAID_HANDLERS
        from .queries import active_intervals
        from .services import record_stripe_payment

        BUSY_SOURCES.append(active_intervals)
        EVENT_SOURCES.append(booking_events)
        STRIPE_PAID_HANDLERS["booking"] = record_stripe_payment
