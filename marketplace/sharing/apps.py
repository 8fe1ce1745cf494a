"""开放共享评价: sits on top of the workflows (like oversight) and hears their completions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "marketplace.sharing"
    label = "sharing"
    verbose_name = _("开放共享评价")

    def ready(self):
        from django.db.models.signals import post_save

        from marketplace.bookings.models import Booking
        from marketplace.completions import completed

        from .freshness import figures_changed, on_booking_changed, on_figures_changed
        from .ledger import on_service_completed

        completed.connect(on_service_completed, dispatch_uid="sharing-usage-record")
        # The caches that follow the figures (marketplace/sharing/freshness.py).
        figures_changed.connect(on_figures_changed, dispatch_uid="sharing-figures-purge")
        post_save.connect(on_booking_changed, sender=Booking, dispatch_uid="sharing-booking-rates")
