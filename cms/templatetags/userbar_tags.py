"""The Wagtail userbar of every page's footer, with the permissions it asks read in one query
and, away from Wagtail's pages, its markup written once per way it can look."""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language
from wagtail import hooks
from wagtail.admin.templatetags.wagtailuserbar import get_page_instance, wagtailuserbar
from wagtail.users.models import UserProfile

from marketplace import signed_in
from marketplace.accounts.permissions import load_model_permissions

register = template.Library()

# The userbar's markup off Wagtail's pages, by everything it is made from (see `userbar`).
# Hosts are the only open-ended part of the key: past this many entries it starts again.
RENDERED: dict[tuple, str] = {}
RENDERED_LIMIT = 64


@register.simple_tag(takes_context=True)
def userbar(context, position: str = "bottom-right"):
    """Wagtail's `{% wagtailuserbar %}`, shown to the same people: the signed-in user's model
    permissions are read first, in one query instead of two (`load_model_permissions`).

    On a page that is no Wagtail page (the workflows' pages, a queue) the userbar holds the
    admin's link and the content checker, and nothing of the page or of the person but their
    admin language and theme (their Wagtail profile): 15 kB of markup from some forty template
    nodes, the same for every such request of the same host. It is rendered once per host,
    language and profile settings and kept; on Wagtail's pages, in a preview, or when a hook
    may change the items per request, it is rendered every time as before. Its profile is
    read once (Wagtail reads it twice: for the language and for the theme)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return wagtailuserbar(context, position)
    # With the header's badge, in one query: permissions, profile (marketplace.signed_in).
    signed_in.read(user)
    load_model_permissions(user)
    if (
        not user.has_perm("wagtailadmin.access_admin")
        or get_page_instance(context) is not None
        or getattr(request, "in_preview_panel", False)
        or hasattr(request, "revision_id")
        or hooks.get_hooks("construct_wagtail_userbar")
    ):
        return wagtailuserbar(context, position)
    profile = user.__class__.wagtail_userprofile.related.get_cached_value(user, None)
    if profile is None:  # no profile yet: Wagtail makes one
        profile = UserProfile.get_for_user(user)
        user.wagtail_userprofile = profile  # what the theme's tag reads, without a second query
    key = (
        position,
        request.scheme,
        request.get_host(),
        get_language(),
        profile.get_preferred_language(),
        profile.theme,
        profile.contrast,
        profile.density,
    )
    rendered = RENDERED.get(key)
    if rendered is None:
        rendered = wagtailuserbar(context, position)
        if len(RENDERED) >= RENDERED_LIMIT:
            RENDERED.clear()
        RENDERED[key] = rendered
    return rendered


@receiver(setting_changed)
def _forget_rendered(**kwargs) -> None:
    """A changed setting (a test's override: static files, languages) may change the markup."""
    RENDERED.clear()
