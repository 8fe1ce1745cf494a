"""开放共享评价: sits on top of the workflows (like oversight) and hears their completions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "marketplace.sharing"
    label = "sharing"
    verbose_name = _("开放共享评价")

    def ready(self):
        from marketplace.completions import completed

        from .ledger import on_service_completed

        completed.connect(on_service_completed, dispatch_uid="sharing-usage-record")
