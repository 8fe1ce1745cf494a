"""入孵申请 pages: apply, my applications, the institution's queue, one application with its
history and the actions each side may take. Each POST calls one service; permissions live in
the services, and anything the user may not see answers 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from marketplace.accounts.permissions import is_platform_moderator, member_institution_ids
from marketplace.catalogue.models import Incubator
from marketplace.uploads import raw_upload_names, serve_private
from marketplace.workflow_pages import (
    act_view,
    item_or_404,
    mine_view,
    queue_view,
    start_view,
)

from . import services
from .actions import RESIDENCY_ACTIONS
from .forms import AcceptForm, ApplicationForm
from .models import Application, Status

PAGE_SIZE = 30


def _submit(user, incubator: Incubator, form: ApplicationForm) -> Application:
    business_plan = form.cleaned_data.get("business_plan")
    return services.submit_application(user, incubator, form.service_data(), business_plan)


apply = raw_upload_names(
    start_view(
        Incubator.objects.published().select_related("institution"),
        lambda request, incubator: ApplicationForm(request.POST or None, request.FILES or None),
        _submit,
        template="residency/apply.html",
        done=gettext_lazy("入孵申请已提交，请留意审核通知。"),
        detail="residency:detail",
    )
)


mine = mine_view(
    lambda user: (
        Application.objects.filter(applicant=user)
        .select_related("incubator")
        .order_by("-created_at", "-pk")
    ),
    template="residency/mine.html",
    size=PAGE_SIZE,
    name="applications",
)

# Applications to the member's institutions' incubators, filterable by status.
queue = queue_view(
    lambda user: (
        Application.objects.for_institution_members(user)
        .select_related("incubator", "applicant")
        .order_by("-created_at", "-pk")
    ),
    Status,
    template="residency/queue.html",
    size=PAGE_SIZE,
    name="applications",
)


def _application_or_404(request: HttpRequest, pk: int) -> Application:
    return item_or_404(RESIDENCY_ACTIONS, request, pk)


@login_required
def detail(request: HttpRequest, pk: int, accept_form: AcceptForm | None = None) -> HttpResponse:
    application = _application_or_404(request, pk)
    context = {
        "application": application,
        "transitions": application.transitions.select_related("by").order_by("at", "pk"),
        "can": RESIDENCY_ACTIONS.flags(application, request.user),
        # Internal comments exist in the page only for the institution's reviewers (and the
        # platform's moderators, who read everything).
        "comments": application.comments.select_related("author")
        if services.reads_comments(request.user, application)
        else None,
        "mine_link": services.is_applicant(request.user, application),
        "queue_link": bool(member_institution_ids(request.user))
        or is_platform_moderator(request.user),
        "accept_form": accept_form or AcceptForm(),
    }
    return render(
        request, "residency/detail.html", context, status=400 if accept_form is not None else 200
    )


_act = act_view(RESIDENCY_ACTIONS, detail="residency:detail", queue="residency:queue")


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The application's actions (`RESIDENCY_ACTIONS`); an acceptance with mistakes comes back
    as the application's page with the form's errors (400) instead of a message."""
    if action == "accept" and not AcceptForm(request.POST).is_valid():
        application = _application_or_404(request, pk)
        if RESIDENCY_ACTIONS.flags(application, request.user)["accept"]:
            return detail(request, pk, accept_form=AcceptForm(request.POST))
    return _act(request, pk, action)


@login_required
def business_plan(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    if not application.business_plan:
        raise Http404
    return serve_private(
        application.business_plan,
        application.business_plan_name or f"business-plan-{application.pk}.pdf",
    )
