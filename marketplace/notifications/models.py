"""In-site notices, one per person per event, each also an email outbox row.

The table keeps the name it had in the bookings app (`bookings_notification`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-site notice for a user about an item of one of the workflows, linked by `url`."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    message = models.CharField(max_length=500)  # Chinese
    message_en = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # The email copy is an outbox: sent after commit, retried until it goes out.
    email = models.EmailField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "bookings_notification"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")

    def __str__(self) -> str:
        return self.message

    def text_in(self, language: str) -> str:
        """The notice in the reader's language (Chinese when there is no English text)."""
        return self.message_en if language.startswith("en") and self.message_en else self.message
