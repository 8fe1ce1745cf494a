from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "marketplace.inquiries"
    verbose_name = _("意向洽谈")
