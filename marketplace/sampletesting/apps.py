from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleTestingConfig(AppConfig):
    name = "marketplace.sampletesting"
    verbose_name = _("送样检测")

    def ready(self):
        from marketplace.bookings.payments import STRIPE_PAID_HANDLERS

        from .services import record_stripe_payment

        STRIPE_PAID_HANDLERS["sampleorder"] = record_stripe_payment
