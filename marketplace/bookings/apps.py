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
        from marketplace.catalogue.moves import MOVE_FOLLOWERS
        from marketplace.payments.payables import PayableSpec, register

        from .calendar import booking_events
        from .models import Booking, follow_instrument_moves
        from .queries import active_intervals
        from .services import HOLDS, record_stripe_payment

        BUSY_SOURCES.append(active_intervals)
        MOVE_FOLLOWERS.append(follow_instrument_moves)
        EVENT_SOURCES.append(booking_events)
        register(
            Booking,
            PayableSpec(
                describe=lambda booking: booking.summary,
                reference=lambda booking: (f"预约号 #{booking.pk}", f"booking #{booking.pk}"),
                on_stripe_paid=record_stripe_payment,
                holds=HOLDS,
                code_prefix="B",
                service_kind="machine_time",
            ),
        )
