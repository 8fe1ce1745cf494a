"""What every signed-in page reads about its visitor, read in one query (issue 17).

Each signed-in page's header and footer asked the database four things about the person, one
round trip each: their unread notices (the 消息 badge), their model permissions and their
Wagtail profile (the userbar: `has_perm("wagtailadmin.access_admin")`, its language and
theme), and, on the workflows' pages, the institutions they are a member of. `read` asks all
of them at once, as subqueries of one statement on the user's row, and leaves the answers
where the code that needs them looks first:

- `user._member_institution_ids` (accounts.permissions.member_institution_ids),
- `user._perm_cache` (ModelBackend's set of "app_label.codename", as `load_model_permissions`
  fills it; nothing for the inactive and superusers, whom ModelBackend asks nothing),
- `user.wagtail_userprofile` (when the person has a profile row; Wagtail creates one on
  first use otherwise, as before),
- `user._unread_notices` (the badge's count).

Nothing is kept beyond the request: the user object is read afresh by every request, so a
permission removed, a membership ended or a notice read shows on the next page, as before.
"""

from __future__ import annotations

from functools import partial

from django.db.models import Aggregate, CharField, Count, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from marketplace.statements import Statement

SEPARATOR = ","


class _Joined(Aggregate):
    """Text values joined by a separator into one string (in no particular order):
    GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL (Django 5.2 has no portable one)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def __init__(self, expression) -> None:
        super().__init__(expression, Value(SEPARATOR))

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


def _joined(queryset, expression) -> Subquery:
    """`expression` over the rows of `queryset`, joined: one string (NULL for no rows)."""
    return Subquery(
        queryset.order_by()
        .annotate(_all=Value(1))
        .values("_all")
        .annotate(joined=_Joined(expression))
        .values("joined")
    )


def _split(joined: str | None) -> list[str]:
    return joined.split(SEPARATOR) if joined else []


# The profile's columns the userbar reads (its language and theme); the others are loaded
# from the database when something asks for them, as for a queryset's `.only()`.
PROFILE_COLUMNS = ("id", "preferred_language", "theme", "contrast", "density")


def _query(institutions: bool, permissions: bool, profile: bool, user_pk: int):
    """The one statement `read` runs: what is asked, as columns of the user's row."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    from marketplace.accounts.models import Membership
    from marketplace.notifications.models import Notification

    model = get_user_model()
    unread = (
        Notification.objects.filter(user=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    columns = {"unread": Coalesce(Subquery(unread), 0)}
    if institutions:
        columns["institutions"] = _joined(
            Membership.objects.filter(user=OuterRef("pk")), Cast("institution_id", CharField())
        )
    if permissions:
        own = model.user_permissions.through.objects.filter(user=OuterRef(OuterRef("pk")))
        grouped = Group.permissions.through.objects.filter(group__user=OuterRef(OuterRef("pk")))
        columns["permissions"] = _joined(
            Permission.objects.filter(
                Q(pk__in=own.values("permission_id")) | Q(pk__in=grouped.values("permission_id"))
            ),
            Concat("content_type__app_label", Value("."), "codename", output_field=CharField()),
        )
    if profile:
        for name in PROFILE_COLUMNS:
            columns[f"profile_{name}"] = F(f"wagtail_userprofile__{name}")
    return model._default_manager.filter(pk=user_pk).annotate(**columns).values_list(*columns)


_STATEMENTS: dict[tuple[bool, bool, bool], Statement] = {}


def read(user) -> None:
    """Read what the page will ask of `user` (see the module's docstring) in one query, once a
    request; nothing for the anonymous. What is already known on the user is not asked again.
    The statement is compiled once per process for each combination of what is asked
    (`marketplace.statements.Statement`): building it with the ORM cost more than running it."""
    if not user.is_authenticated or hasattr(user, "_unread_notices"):
        return
    from wagtail.users.models import UserProfile

    model = user.__class__  # the user's model, also through the request's lazy object
    wanted = (
        not hasattr(user, "_member_institution_ids"),
        user.is_active and not user.is_superuser and not hasattr(user, "_perm_cache"),
        not model.wagtail_userprofile.related.is_cached(user),
    )
    statement = _STATEMENTS.get(wanted)
    if statement is None:
        statement = _STATEMENTS[wanted] = Statement(partial(_query, *wanted), int)
    values = iter(statement.rows(user.pk)[0])
    user._unread_notices = next(values)
    if wanted[0]:
        user._member_institution_ids = {int(pk) for pk in _split(next(values))}
    if wanted[1]:
        user._perm_cache = set(_split(next(values)))
    if wanted[2]:
        profile = {**dict(zip(PROFILE_COLUMNS, values, strict=True)), "user_id": user.pk}
        if profile["id"] is not None:
            # from_db takes a partial row's values in the order of the model's fields.
            names = [f.attname for f in UserProfile._meta.concrete_fields if f.attname in profile]
            user.wagtail_userprofile = UserProfile.from_db(
                model._default_manager.db, names, [profile[name] for name in names]
            )


def forget_unread(user) -> None:
    """The unread count is to be read again (notices were made or read during the request)."""
    if hasattr(user, "_unread_notices"):
        del user._unread_notices
