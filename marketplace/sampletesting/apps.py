"""Sample-testing app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleTestingConfig(AppConfig):
    name = "marketplace.sampletesting"
    verbose_name = _("送样检测")

    def ready(self):
        from marketplace.payments.payables import PayableSpec, register

        from .models import SampleOrder
        from .services import HOLDS, record_stripe_payment

        register(
            SampleOrder,
            PayableSpec(
                describe=lambda order: f"送样检测 #{order.pk} {order.instrument.name}",
                reference=lambda order: (
                    f"送样检测单号 #{order.pk}",
                    f"sample-testing order #{order.pk}",
                ),
                on_stripe_paid=record_stripe_payment,
                holds=HOLDS,
                code_prefix="S",
                service_kind="sample_testing",
            ),
        )
