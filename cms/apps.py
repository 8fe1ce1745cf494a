"""CMS app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("双创专区")

    def ready(self):
        from . import signals

        signals.connect_cache_invalidation()
        signals.connect_page_cache_purges()
