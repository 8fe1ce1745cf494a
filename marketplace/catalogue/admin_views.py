"""The admin's "修改空余数" action: members set an incubator's live vacancies.

The vacancies are counters outside the revisioned listing (catalogue.capacity), so they are
not in the listing's edit form (which goes through moderation and revisions); this small form
changes them at once, for members of the incubator's institution and moderators only.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketplace.workflow import Forbidden, RuleError

from . import capacity
from .models import Incubator
from .permissions import ListingPermissionPolicy


class VacancyForm(forms.Form):
    workstations_vacant = forms.IntegerField(label=gettext_lazy("空余工位"), min_value=0)
    offices_vacant = forms.IntegerField(label=gettext_lazy("空余办公室"), min_value=0)


def set_vacancy_view(request, pk: int):
    incubator = get_object_or_404(Incubator, pk=pk)
    if not ListingPermissionPolicy(Incubator).user_has_permission_for_instance(
        request.user, "change", incubator
    ):
        raise Http404  # like every other per-row admin URL of the catalogue
    initial = {
        "workstations_vacant": incubator.workstations_vacant,
        "offices_vacant": incubator.offices_vacant,
    }
    form = VacancyForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                capacity.set_vacancy(
                    incubator,
                    request.user,
                    workstations=form.cleaned_data["workstations_vacant"],
                    offices=form.cleaned_data["offices_vacant"],
                )
            except Forbidden as exc:
                raise Http404 from exc
            except RuleError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, _("空余数已更新。"))
                return redirect("wagtailsnippets_catalogue_incubator:edit", incubator.pk)
        status = 400
    return TemplateResponse(
        request,
        "catalogue/admin/set_vacancy.html",
        {"incubator": incubator, "form": form},
        status=status,
    )
