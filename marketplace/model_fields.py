"""Field declarations the apps' models share, so each model says only what differs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    """When a row was made (创建时间) and last changed (更新时间)."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


def optional_link(verbose_name, to=settings.AUTH_USER_MODEL, **options) -> models.ForeignKey:
    """A reference that may be empty and outlives what it points to (emptied on delete), with
    no reverse accessor: who confirmed, replied or reviewed; a photo; an attachment."""
    options = {"null": True, "blank": True, **options}
    return models.ForeignKey(
        to, on_delete=models.SET_NULL, related_name="+", verbose_name=verbose_name, **options
    )


def served_item(to: str, related_name: str, field=models.ForeignKey) -> models.Field:
    """One of a payment's or usage record's exclusive links to the booking or the sample order
    it is about (the other one is empty); an item with any cannot be deleted."""
    return field(to, null=True, blank=True, on_delete=models.PROTECT, related_name=related_name)


def person(verbose_name, related_name: str = "+", **options) -> models.ForeignKey:
    """The person an item belongs to or comes from (who booked, asked, applied, rated, wrote);
    a user with any cannot be deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )
