"""创新券 app: sits with the workflows (kernel and catalogue below it) and hears about them only
through registrations and signals; no workflow imports it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VouchersConfig(AppConfig):
    name = "marketplace.vouchers"
    label = "vouchers"
    verbose_name = _("科技创新券")

    def ready(self):
        from django.db.models.signals import post_migrate

        from marketplace.completions import completed
        from marketplace.payments.payables import register_cover
        from marketplace.workflow import ended

        from .groups import ensure_voucher_group
        from .services import covered, on_service_completed, on_service_ended

        post_migrate.connect(ensure_voucher_group, sender=self)

        register_cover(covered)
        completed.connect(on_service_completed, dispatch_uid="vouchers-spend")
        ended.connect(on_service_ended, dispatch_uid="vouchers-release")
