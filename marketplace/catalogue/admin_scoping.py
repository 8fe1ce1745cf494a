"""What an institution member sees in the Wagtail admin beyond their listings' own pages.

The listing viewsets (wagtail_hooks.py) already confine list, edit, history, usage, … to the
member's institutions. Wagtail has more doors that list rows by model permission alone; each is
narrowed here to the same rows (ListingPermissionPolicy: moderators everything, members their
institutions' listings):

- snippet choosers (`/admin/snippets/choose/catalogue/…/`): the chooser modal, its results,
  search and the "chosen" lookups. Users who manage no listings (CMS editors) may still choose
  published listings, which are public anyway.
- bulk actions (`/admin/bulk/catalogue/…/`): ids of rows the user may not manage are dropped
  before Wagtail looks them up, and "select all" means all of the user's own rows — so a
  confirmation page never names another institution's listing.
- log entries (site history report and its CSV/XLSX export, its user/type/action filters, the
  dashboard): entries about another institution's listings are not "viewable" by a member.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.http import QueryDict
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.bulk_action.dispatcher import index as wagtail_bulk_action
from wagtail.permissions import policy_registry
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenMultipleView,
    SnippetChosenView,
)

from .permissions import is_platform_moderator


def _scoped_models():
    from .models import Blackout, Incubator, Instrument, Technology

    return (Instrument, Incubator, Technology, Blackout)


def permitted_rows(model, user):
    """Rows of `model` the user manages (all of them for moderators)."""
    return policy_registry.get_by_type(model).instances_user_has_permission_for(user, "change")


def choosable_rows(model, user):
    """Rows the user may pick in a chooser: their own; published ones if they manage none."""
    if is_platform_moderator(user):
        return model._default_manager.all()
    own = permitted_rows(model, user)
    if own.exists() or not hasattr(model, "live"):
        return own
    return model._default_manager.filter(live=True)


# --- Choosers -------------------------------------------------------------------------------


class _ScopedLookup:
    def get_object_list(self):
        return choosable_rows(self.model_class, self.request.user)


class ScopedChooseView(_ScopedLookup, ChooseView):
    pass


class ScopedChooseResultsView(_ScopedLookup, ChooseResultsView):
    pass


class ScopedChosenView(SnippetChosenView):
    def get_object(self, pk):
        return choosable_rows(self.model_class, self.request.user).get(pk=pk)


class ScopedChosenMultipleView(SnippetChosenMultipleView):
    def get_objects(self, pks):
        return choosable_rows(self.model_class, self.request.user).filter(pk__in=pks)


class ScopedSnippetChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView


# --- Bulk actions ---------------------------------------------------------------------------


@require_admin_access
def scoped_bulk_action(request, app_label, model_name, action):
    """Wagtail's bulk-action view, with the ids narrowed to rows the user manages."""
    models = {(m._meta.app_label, m._meta.model_name): m for m in _scoped_models()}
    model = models.get((app_label, model_name))
    if model is not None and not is_platform_moderator(request.user):
        wanted = request.GET.getlist("id")
        allowed = {
            str(pk) for pk in permitted_rows(model, request.user).values_list("pk", flat=True)
        }
        ids = sorted(allowed) if "all" in wanted else [i for i in wanted if i in allowed]
        query = request.GET.copy()
        query.setlist("id", ids or ["0"])  # no permitted row: Wagtail's own 404
        query.pop("childOf", None)
        request.GET = QueryDict(query.urlencode())
        request.META["QUERY_STRING"] = request.GET.urlencode()
    return wagtail_bulk_action(request, app_label, model_name, action)


# --- Log entries ----------------------------------------------------------------------------


def scope_log_entries() -> None:
    """Narrow ModelLogEntry.objects.viewable_by_user for members (idempotent)."""
    from wagtail.models.audit_log import ModelLogEntryManager

    if getattr(ModelLogEntryManager, "_scoped_to_institutions", False):
        return
    original = ModelLogEntryManager.viewable_by_user

    def viewable_by_user(self, user):
        entries = original(self, user)
        if is_platform_moderator(user):
            return entries
        for model in _scoped_models():
            content_type = ContentType.objects.get_for_model(model)
            own = [str(pk) for pk in permitted_rows(model, user).values_list("pk", flat=True)]
            entries = entries.exclude(Q(content_type=content_type) & ~Q(object_id__in=own))
        return entries

    ModelLogEntryManager.viewable_by_user = viewable_by_user
    ModelLogEntryManager._scoped_to_institutions = True
