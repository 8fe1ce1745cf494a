"""`{% unread_notices as count %}`: the signed-in person's unread notices, for the header
badge on 消息 — one COUNT query, only on pages that show the header to a signed-in person."""

from django import template

from marketplace.notifications.models import Notification

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
