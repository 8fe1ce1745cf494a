"""Catalogue app configuration."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CatalogueConfig(AppConfig):
    name = "marketplace.catalogue"
    label = "catalogue"
    verbose_name = _("资源目录")

    def ready(self):
        from .groups import ensure_catalogue_groups

        post_migrate.connect(ensure_catalogue_groups, sender=self)

        from django.db.models.signals import post_delete, post_save, pre_save

        from .counts import instrument_deleted, instrument_saved
        from .models import Instrument
        from .moves import instrument_about_to_save, instrument_saved_moved

        post_save.connect(instrument_saved, sender=Instrument, dispatch_uid="instrument-count")
        post_delete.connect(instrument_deleted, sender=Instrument, dispatch_uid="instrument-count")
        pre_save.connect(
            instrument_about_to_save, sender=Instrument, dispatch_uid="instrument-move"
        )
        post_save.connect(instrument_saved_moved, sender=Instrument, dispatch_uid="instrument-move")
