"""入孵申请 pages: apply, my applications, the institution's queue, one application with its
history and the actions each side may take. Each POST calls one service; permissions live in
the services, and anything the user may not see answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.accounts.permissions import is_platform_moderator, member_institution_ids
from marketplace.catalogue.models import Incubator
from marketplace.uploads import raw_upload_names, serve_private
from marketplace.workflow import Forbidden, NotFound, WorkflowError

from . import services
from .forms import AcceptForm, ApplicationForm
from .models import Application, Status

PAGE_SIZE = 30


@raw_upload_names
@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, code: str) -> HttpResponse:
    incubator = get_object_or_404(
        Incubator.objects.published().select_related("institution"), code=code
    )
    form = ApplicationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                application = services.submit_application(
                    request.user,
                    incubator,
                    form.service_data(),
                    form.cleaned_data.get("business_plan"),
                )
            except WorkflowError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("入孵申请已提交，请留意审核通知。"))
                return redirect("residency:detail", pk=application.pk)
        status = 400
    return render(
        request, "residency/apply.html", {"incubator": incubator, "form": form}, status=status
    )


def _page(request: HttpRequest, applications):
    return Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    applications = (
        Application.objects.filter(applicant=request.user)
        .select_related("incubator")
        .order_by("-created_at", "-pk")
    )
    page = _page(request, applications)
    return render(request, "residency/mine.html", {"applications": page, "page": page})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Applications to the member's institutions' incubators, filterable by status."""
    if is_platform_moderator(request.user):
        applications = Application.objects.all()
    else:
        ids = member_institution_ids(request.user)
        if not ids:
            raise Http404
        applications = Application.objects.filter(incubator__institution_id__in=ids)
    wanted = request.GET.get("status", "")
    if wanted in Status.values:
        applications = applications.filter(status=wanted)
    else:
        wanted = ""
    applications = applications.select_related("incubator", "applicant").order_by(
        "-created_at", "-pk"
    )
    page = _page(request, applications)
    return render(
        request,
        "residency/queue.html",
        {
            "applications": page,
            "page": page,
            "statuses": Status.choices,
            "wanted": wanted,
            "query_prefix": f"status={wanted}" if wanted else "",
        },
    )


def _application_or_404(request: HttpRequest, pk: int) -> Application:
    try:
        return services.get_application_for(request.user, pk)
    except NotFound:
        raise Http404 from None


@login_required
def detail(request: HttpRequest, pk: int, accept_form: AcceptForm | None = None) -> HttpResponse:
    application = _application_or_404(request, pk)
    is_member = services.is_member(request.user, application)
    is_applicant = services.is_applicant(request.user, application)
    flow = services.APPLICATION_FLOW
    context = {
        "application": application,
        "transitions": application.transitions.select_related("by").order_by("at", "pk"),
        "is_member": is_member,
        "is_applicant": is_applicant,
        # Internal comments exist in the page only for the institution's reviewers.
        "comments": application.comments.select_related("author") if is_member else None,
        "can_review": is_member and flow.allows(application.status, Status.UNDER_REVIEW),
        "can_decide": is_member and flow.allows(application.status, Status.ACCEPTED),
        "can_move_in": is_member and flow.allows(application.status, Status.MOVED_IN),
        "can_withdraw": is_applicant and flow.allows(application.status, Status.WITHDRAWN),
        "accept_form": accept_form or AcceptForm(),
    }
    return render(
        request, "residency/detail.html", context, status=400 if accept_form is not None else 200
    )


def _accept(request: HttpRequest, application: Application):
    form = AcceptForm(request.POST)
    if not form.is_valid():
        return detail(request, application.pk, accept_form=form)
    return services.accept(
        application, request.user, form.cleaned_data["workstations"], form.cleaned_data["reason"]
    )


ACTIONS = {
    "review": lambda request, app: services.start_review(app, request.user),
    "accept": _accept,
    "reject": lambda request, app: services.reject(
        app, request.user, request.POST.get("reason", "")
    ),
    "withdraw": lambda request, app: services.withdraw(app, request.user),
    "move_in": lambda request, app: services.mark_moved_in(app, request.user),
    "comment": lambda request, app: services.add_comment(
        app, request.user, request.POST.get("text", "")
    ),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ACTIONS:
        raise Http404
    application = _application_or_404(request, pk)
    try:
        result = ACTIONS[action](request, application)
    except (NotFound, Forbidden):
        raise Http404 from None
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        if isinstance(result, HttpResponse):
            return result
        messages.success(request, _("操作成功。"))
    if request.POST.get("next") == "queue":
        return redirect("residency:queue")
    return redirect("residency:detail", pk=pk)


@login_required
def business_plan(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    if not application.business_plan:
        raise Http404
    return serve_private(
        application.business_plan,
        application.business_plan_name or f"business-plan-{application.pk}.pdf",
    )
