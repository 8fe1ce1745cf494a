"""A policy and its interpretations go public together."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published


@receiver(page_published)
def publish_interpretations_with_policy(sender, instance, revision=None, **kwargs):
    """When a policy is published, its interpretations that are ready follow it.

    "Ready" means a draft revision that is not waiting in a moderation workflow: the
    interpretation was written for this policy and only held back until the policy is live.
    """
    from .models import PolicyInterpretationPage, PolicyPage

    if sender is not PolicyPage:
        return
    pending = PolicyInterpretationPage.objects.filter(policy=instance, live=False).exclude(
        latest_revision=None
    )
    for interpretation in pending:
        if interpretation.workflow_in_progress:
            continue
        interpretation.get_latest_revision().publish(user=getattr(revision, "user", None))


def connect_cache_invalidation() -> None:
    """Drop the cached home-page figures and site identity when what they show changes."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Site

    from .models.site_settings import SiteSettings, forget_site_identity
    from .overview import forget_overview, watched_models

    for model in watched_models():
        for signal in (post_save, post_delete):
            signal.connect(
                forget_overview, sender=model, dispatch_uid=f"cms-overview-{model._meta.label}"
            )
    for model in (SiteSettings, Site):
        for signal in (post_save, post_delete):
            signal.connect(
                forget_site_identity,
                sender=model,
                dispatch_uid=f"cms-identity-{model._meta.label}",
            )


# --- Anonymous page cache (cms/page_cache.py) ------------------------------------------------

# Saves that touch only these fields change nothing a visitor sees: a draft revision saved, a
# lock taken, a workflow started. Anything else (live, the content, live_revision) purges.
_BOOKKEEPING_FIELDS = frozenset(
    {
        "latest_revision",
        "latest_revision_created_at",
        "has_unpublished_changes",
        "draft_title",
        "locked",
        "locked_at",
        "locked_by",
        "url_path",
    }
)


def _only_bookkeeping(kwargs) -> bool:
    fields = kwargs.get("update_fields")
    return bool(fields) and set(fields) <= _BOOKKEEPING_FIELDS


def _listing_changed(sender, instance, **kwargs) -> None:
    from . import page_cache

    if _only_bookkeeping(kwargs):
        return
    page_cache.purge(
        page_cache.LISTINGS, page_cache.object_tag(sender._meta.model_name, instance.code)
    )


def _institution_changed(sender, instance, **kwargs) -> None:
    from . import page_cache

    page_cache.purge(
        page_cache.CATALOGUE,
        page_cache.LISTINGS,
        page_cache.object_tag("institution", instance.code),
    )


def _instrument_time_changed(sender, instance, **kwargs) -> None:
    """A booking or blackout changes the free time on its instrument's page."""
    from marketplace.catalogue.models import Instrument

    from . import page_cache

    instrument_id = instance.instrument_id

    def bump() -> None:
        code = Instrument.objects.filter(pk=instrument_id).values_list("code", flat=True).first()
        if code:
            page_cache.bump_now(page_cache.object_tag("instrument", code))

    transaction.on_commit(bump)


def _cms_changed(sender, instance, **kwargs) -> None:
    from . import page_cache

    if _only_bookkeeping(kwargs):
        return
    page_cache.purge(page_cache.CMS)


def _catalogue_imported(sender, **kwargs) -> None:
    """An import writes in bulk (no post_save): every catalogue page, lists and figures."""
    from . import page_cache

    page_cache.purge(page_cache.CATALOGUE, page_cache.LISTINGS)


def _vacancy_changed(sender, incubator_id, **kwargs) -> None:
    """A residency acceptance or the admin's vacancy action: the incubator's pages and lists."""
    from marketplace.catalogue.models import Incubator

    from . import page_cache

    def bump() -> None:
        code = Incubator.objects.filter(pk=incubator_id).values_list("code", flat=True).first()
        tags = [page_cache.LISTINGS]
        if code:
            tags.append(page_cache.object_tag("incubator", code))
        page_cache.bump_now(*tags)

    transaction.on_commit(bump)


def _site_changed(sender, instance, **kwargs) -> None:
    from . import page_cache

    page_cache.purge(page_cache.SITE)


def _any_page_saved(sender, instance, **kwargs) -> None:
    from wagtail.models import Page

    if isinstance(instance, Page):
        _cms_changed(sender, instance, **kwargs)


def connect_page_cache_purges() -> None:
    """What each cached public page shows, and the changes that make it stale."""
    from django.db.models.signals import post_delete, post_save
    from wagtail.models import Site
    from wagtail.signals import page_published, page_unpublished, published, unpublished

    from marketplace.accounts.models import Institution
    from marketplace.bookings.models import Booking
    from marketplace.catalogue.models import Blackout, Incubator, Instrument, Technology
    from marketplace.catalogue.signals import catalogue_imported, vacancy_changed

    from .models import Department, DepartmentAlias, MeasureResponsibility, NewsCategory
    from .models.site_settings import SiteSettings

    def on(signals, receiver, model, uid):
        for signal in signals:
            signal.connect(receiver, sender=model, dispatch_uid=f"page-cache-{uid}-{id(signal)}")

    rows = (post_save, post_delete)
    for model in (Instrument, Incubator, Technology):
        on((*rows, published, unpublished), _listing_changed, model, model._meta.label)
    on(rows, _institution_changed, Institution, "institution")
    catalogue_imported.connect(_catalogue_imported, dispatch_uid="page-cache-import")
    # The lists' totals are kept under the same `listings` version the lists' pages are.
    from marketplace.catalogue import paging

    from .page_cache import LISTINGS, TagVersioned

    paging.count_store = TagVersioned(LISTINGS)
    vacancy_changed.connect(_vacancy_changed, dispatch_uid="page-cache-vacancy")
    for model in (Booking, Blackout):
        on(rows, _instrument_time_changed, model, model._meta.label)
    # A view restriction hides the pages below it from every list (cms.models.base.public).
    from wagtail.models import PageViewRestriction

    for model in (
        Department,
        DepartmentAlias,
        NewsCategory,
        MeasureResponsibility,
        PageViewRestriction,
    ):
        on(rows, _cms_changed, model, model._meta.label)
    for model in (SiteSettings, Site):
        on(rows, _site_changed, model, model._meta.label)
    from wagtail.models import Locale

    from .locales import forget_locales

    on(rows, forget_locales, Locale, "locales")
    from .sites import forget_sites

    # the per-process Site and site root paths (cms/sites.py): a site or any page changed
    on(rows, forget_sites, Site, "sites")
    on(rows, forget_sites, None, "sites-pages")
    # Every page type, including those other apps add later: any Page row saved or deleted.
    on(rows, _any_page_saved, None, "pages")
    on((page_published, page_unpublished), _cms_changed, None, "page-publication")
