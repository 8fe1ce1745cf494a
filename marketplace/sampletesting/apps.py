from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampleTestingConfig(AppConfig):
    name = "marketplace.sampletesting"
    verbose_name = _("送样检测")
