"""Signal receivers that put changed pages and listings into the index outbox.

Connected from SearchConfig.ready(), so marketplace/ and cms/ need no knowledge of search.
Every receiver only records the document key; what gets indexed is decided later from the
database (published or not), so drafts, unpublishing and deletion all take the same path.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from .documents import LISTING_KINDS, PAGE_MODELS
from .indexing import enqueue


def _listing_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    enqueue([f"{sender._meta.model_name}:{instance.pk}"])


def _page_changed(sender, instance, **kwargs):
    if kwargs.get("raw"):
        return
    enqueue([f"page:{instance.pk}"])


def _institution_changed(sender, instance, created=False, **kwargs):
    """An institution's name and region are part of its listings' documents."""
    if created or kwargs.get("raw"):
        return
    keys = []
    for kind in LISTING_KINDS:
        related = getattr(instance, f"{kind}_listings")
        keys.extend(f"{kind}:{pk}" for pk in related.filter(live=True).values_list("pk", flat=True))
    enqueue(keys)


def connect() -> None:
    from wagtail.signals import page_published, page_unpublished, published, unpublished

    from cms import models as cms_models
    from marketplace.accounts.models import Institution
    from marketplace.catalogue.models import Incubator, Instrument, Technology

    for model in (Instrument, Incubator, Technology):
        uid = f"search-{model._meta.model_name}"
        post_save.connect(_listing_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_listing_changed, sender=model, dispatch_uid=f"{uid}-delete")
        published.connect(_listing_changed, sender=model, dispatch_uid=f"{uid}-published")
        unpublished.connect(_listing_changed, sender=model, dispatch_uid=f"{uid}-unpublished")
    for name in PAGE_MODELS:
        model = getattr(cms_models, name)
        uid = f"search-{name}"
        post_save.connect(_page_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_page_changed, sender=model, dispatch_uid=f"{uid}-delete")
        page_published.connect(_page_changed, sender=model, dispatch_uid=f"{uid}-published")
        page_unpublished.connect(_page_changed, sender=model, dispatch_uid=f"{uid}-unpublished")
    post_save.connect(_institution_changed, sender=Institution, dispatch_uid="search-institution")
