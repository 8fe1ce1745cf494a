"""Oversight app configuration: it sits on top of every workflow and registers its own hooks."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "marketplace.oversight"
    label = "oversight"
    verbose_name = _("业务监管")
