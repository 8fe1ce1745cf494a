"""CMS app configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("双创专区")

    def ready(self):
        from wagtail.models import Locale

        from . import locales, signals

        # Wagtail asks Locale.get_active() while routing every page (root_page.localized):
        # answered from the per-process locales (cms/locales.py) instead of a query each time.
        Locale.get_active = classmethod(lambda cls: locales.active_locale())

        signals.connect_cache_invalidation()
        signals.connect_page_cache_purges()

        # gettext in one dict look-up: a Chinese page's every look-up misses (our msgids are
        # Chinese) and would walk Django's 23 catalogues and 12-deep fallback chain.
        from marketplace.translation import install

        install()
