"""Who may manage which listing: members of the owning institution, and platform moderators.

The roles themselves are the platform's one policy (marketplace.accounts.permissions); this
module applies them to listings for querysets, the Wagtail admin and the API alike.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext
from wagtail.permission_policies.base import ModelPermissionPolicy

from marketplace.accounts.permissions import (  # noqa: F401 — the policy's names
    MEMBERS_GROUP,
    MODERATORS_GROUP,
    is_member_of,
    is_platform_moderator,
    member_institution_ids,
)
from marketplace.workflow import require


def is_instrument_member(user, item) -> bool:
    """A member of the institution of `item`'s instrument (a booking, a sample-testing order):
    acts for it (platform moderators only read)."""
    return is_member_of(user, item.instrument.institution_id)


def require_instrument_member(user, item) -> None:
    """Refuse (403) anyone but a member of the institution of `item`'s instrument."""
    require(is_instrument_member(user, item), gettext("只有仪器管理单位可以执行此操作"))


def can_manage_listing(user, listing) -> bool:
    """A moderator manages every listing; a member only their own institution's."""
    if is_platform_moderator(user):
        return True
    return listing.institution_id in member_institution_ids(user)


class ListingPermissionPolicy(ModelPermissionPolicy):
    """Model permissions (from groups) narrowed to the user's own institutions."""

    def user_has_permission_for_instance(self, user, action, instance) -> bool:
        if isinstance(user, AnonymousUser) or not user.is_authenticated:
            return False
        if not self.user_has_permission(user, action):
            return False
        institution_id = getattr(instance, "institution_id", None)
        if institution_id is None and hasattr(instance, "instrument"):
            institution_id = instance.instrument.institution_id  # blackouts
        return is_platform_moderator(user) or institution_id in member_institution_ids(user)

    def instances_user_has_permission_for(self, user, action):
        queryset = super().instances_user_has_permission_for(user, action)
        if is_platform_moderator(user):
            return queryset
        ids = member_institution_ids(user)
        if self.model._meta.model_name == "blackout":
            return queryset.filter(instrument__institution_id__in=ids)
        return queryset.filter(institution_id__in=ids)
