"""Signals the catalogue sends for what model signals do not cover."""

from django.dispatch import Signal

# Sent after an import committed rows (bulk writes send no post_save): kwargs `report`.
catalogue_imported = Signal()

# Sent when an incubator's live vacancy changed (counter updates send no post_save):
# kwargs `incubator_id`.
vacancy_changed = Signal()
