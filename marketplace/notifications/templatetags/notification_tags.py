"""The unread-notices count for the header badge on 消息."""

from __future__ import annotations

from django import template

from marketplace import signed_in

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    """How many of the signed-in person's notices are unread, kept on the user so a page that
    asks twice pays once; 0 (and no query) for anonymous visitors. Read with the rest of what
    the page asks about the person (their permissions, profile and institutions) in one query
    (`marketplace.signed_in.read`)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    signed_in.read(user)
    return user._unread_notices
