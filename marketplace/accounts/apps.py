"""Accounts app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "marketplace.accounts"
    label = "accounts"
    verbose_name = _("账户与机构")

    def ready(self):
        # Every CSV export of the Wagtail admin disarms spreadsheet formulas (marketplace.csv_safety).
        from marketplace.csv_safety import guard_wagtail_exports

        guard_wagtail_exports()
