"""The unread-notices count for the header badge on 消息."""

from __future__ import annotations

from django import template

from marketplace.notifications.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    """How many of the signed-in person's notices are unread: one query, kept on the request
    so a page that asks twice pays once; 0 (and no query) for anonymous visitors."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notices"):
        request._unread_notices = Notification.objects.filter(
            user=user, read_at__isnull=True
        ).count()
    return request._unread_notices
