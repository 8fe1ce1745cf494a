"""A policy and its interpretations go public together."""

from __future__ import annotations

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
