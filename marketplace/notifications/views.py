"""The person's notices page (消息)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from .models import Notification

PAGE_SIZE = 50


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """The user's in-site notices, newest first; opening the page marks them read."""
    notices = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notices, PAGE_SIZE).get_page(request.GET.get("page"))
    language = get_language() or "zh-hans"
    for notice in page:
        notice.text = notice.text_in(language)
    unread = [n.pk for n in page if n.read_at is None]
    # Marked before rendering, so the header's unread badge counts only what is left.
    Notification.objects.filter(pk__in=unread).update(read_at=timezone.now())
    return render(request, "notifications/list.html", {"page": page, "unread": set(unread)})
