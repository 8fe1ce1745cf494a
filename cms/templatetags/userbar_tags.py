"""The Wagtail userbar of every page's footer, with the permissions it asks read in one query."""

from __future__ import annotations

from django import template
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

from marketplace.accounts.permissions import load_model_permissions

register = template.Library()


@register.simple_tag(takes_context=True)
def userbar(context, position: str = "bottom-right"):
    """Wagtail's `{% wagtailuserbar %}`, shown to the same people: the signed-in user's model
    permissions are read first, in one query instead of two (`load_model_permissions`)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None:
        load_model_permissions(user)
    return wagtailuserbar(context, position)
