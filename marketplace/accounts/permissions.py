"""Who may do what: the one permission policy of the platform.

Three roles matter on a workflow item (a booking, a sample order, an application, an inquiry):
- the **owner**: the person who made it;
- a **member** of the institution that provides the resource (its manager or staff);
- a **platform moderator** (资源审核员, and superusers): moderates listings and may *read* every
  workflow item and cancel one with a stated reason (业务监管), but never acts for an
  institution — no approving, quoting, accepting or confirming payments.

Every workflow's queryset (`visible_to`) and service asks here; templates only show the flags
that the workflows' action tables compute from these answers.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models

# Group names are created by the catalogue's data migration.
MODERATORS_GROUP = "资源审核员"
MEMBERS_GROUP = "机构成员"


class Role(StrEnum):
    OWNER = "owner"
    MEMBER = "member"
    MODERATOR = "moderator"


def is_platform_moderator(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_platform_moderator", None)
    if cached is None:
        cached = user.groups.filter(name=MODERATORS_GROUP).exists()
        user._is_platform_moderator = cached
    return cached


def load_model_permissions(user) -> None:
    """Read the user's model permissions, their own and their groups', in one query (a UNION)
    instead of ModelBackend's two, and keep them where ModelBackend looks before it queries
    (`_perm_cache`, the set of "app_label.codename" its get_all_permissions returns): every
    page's header asks `has_perm("wagtailadmin.access_admin")` for the Wagtail userbar.
    Nothing for the anonymous, the inactive and superusers (ModelBackend asks no query of
    them), nor when the permissions are already read."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return
    if hasattr(user, "_perm_cache"):
        return
    from django.contrib.auth.models import Permission

    fields = ("content_type__app_label", "codename")
    own = Permission.objects.filter(user=user).order_by().values_list(*fields)
    grouped = Permission.objects.filter(group__user=user).order_by().values_list(*fields)
    user._perm_cache = {f"{app}.{codename}" for app, codename in own.union(grouped)}


def member_institution_ids(user) -> set[int]:
    """The institutions the user is a manager or staff member of (cached on the user)."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_member_institution_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("institution_id", flat=True))
        user._member_institution_ids = cached
    return cached


def is_member_of(user, institution_id: int | None) -> bool:
    """A member (manager or staff) of the institution; moderators are not members."""
    return institution_id is not None and institution_id in member_institution_ids(user)


def is_manager_of(user, institution_id: int) -> bool:
    return (
        user.is_authenticated
        and user.memberships.filter(institution_id=institution_id, role="manager").exists()
    )


def roles_of(user, *, owner_id: int | None, institution_id: int | None) -> frozenset[Role]:
    """The roles `user` holds on an item owned by `owner_id` at `institution_id`."""
    if not user.is_authenticated:
        return frozenset()
    roles = set()
    if owner_id is not None and owner_id == user.pk:
        roles.add(Role.OWNER)
    if is_member_of(user, institution_id):
        roles.add(Role.MEMBER)
    if is_platform_moderator(user):
        roles.add(Role.MODERATOR)
    return frozenset(roles)


def visible_to(queryset: models.QuerySet, user) -> models.QuerySet:
    """What `user` may read of a workflow's items: their own, those of their institutions, and
    everything for a platform moderator. The items' model declares the paths to the owning
    user and to the providing institution (`owner_path`, `institution_path`, e.g. "user" and
    "instrument__institution": marketplace.workflow.WorkflowItem).
    """
    if not user.is_authenticated:
        return queryset.none()
    if is_platform_moderator(user):
        return queryset
    model = queryset.model
    return queryset.filter(
        models.Q(**{model.owner_path: user})
        | models.Q(**{f"{model.institution_path}_id__in": member_institution_ids(user)})
    )


def for_institution_members(queryset: models.QuerySet, user):
    """An institution's queue: items at the user's institutions (the path declared by the
    model, as for `visible_to`); every item for a moderator."""
    if is_platform_moderator(user):
        return queryset
    institution = queryset.model.institution_path
    return queryset.filter(**{f"{institution}_id__in": member_institution_ids(user)})
