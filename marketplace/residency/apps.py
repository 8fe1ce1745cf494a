from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidencyConfig(AppConfig):
    name = "marketplace.residency"
    verbose_name = _("入孵申请")
