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

        # PostgreSQL's times read by psycopg's C loader where Django's would give the same.
        from django.db.backends.signals import connection_created

        from marketplace.pg_times import use_c_loader

        connection_created.connect(use_c_loader, dispatch_uid="marketplace.pg_times")
