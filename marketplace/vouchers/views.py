"""创新券 pages: the enterprise's voucher page, and using or withdrawing the voucher from a
pay panel (the share is shown there by `voucher_tags`)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketplace import charts
from marketplace.accounts.models import Institution
from marketplace.uploads import raw_upload_names, serve_private
from marketplace.workflow import Forbidden, NotFound, WorkflowError
from marketplace.workflow_pages import create_page

from . import exports, services
from .api import item_for
from .forms import ApplicationForm
from .models import (
    ApplicationStatus,
    ClaimLine,
    LineStatus,
    Movement,
    SettlementBatch,
    VoucherUse,
)


def _act(request: HttpRequest, kind: str, pk: int, action, done: str) -> HttpResponse:
    try:
        item = item_for(request.user, kind, pk)
    except NotFound as error:
        raise Http404(error.message) from error
    try:
        action(item, request.user)
    except WorkflowError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, done)
    return redirect(item.get_absolute_url())


@login_required
@require_POST
def use(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _act(request, kind, pk, services.use_voucher, _("已使用创新券，请支付自付部分。"))


@login_required
@require_POST
def withdraw(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    return _act(request, kind, pk, services.withdraw_voucher, _("已撤回创新券。"))


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The enterprise's balances and the history of its voucher uses and movements."""
    enterprise = services.enterprise_of(request.user)
    balances = list(services.balances_of(enterprise))
    uses = (
        VoucherUse.objects.filter(balance__enterprise=enterprise)
        .select_related("institution", "user")
        .order_by("-created_at", "-pk")[:100]
    )
    movements = (
        Movement.objects.filter(balance__enterprise=enterprise)
        .select_related("programme")
        .order_by("-created_at", "-pk")[:100]
    )
    return render(
        request,
        "vouchers/mine.html",
        {
            "enterprise": enterprise,
            "balances": balances,
            "uses": uses if enterprise else [],
            "movements": movements if enterprise else [],
        },
    )


@raw_upload_names
@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """The enterprise applies to a programme with its PDF, and sees its applications."""
    form = ApplicationForm(request.POST or None, request.FILES or None)
    return create_page(
        request,
        form,
        lambda data: services.apply(request.user, **data),
        template="vouchers/apply.html",
        context={
            "applications": services.applications_of(request.user)
            .select_related("programme", "enterprise")
            .order_by("-created_at", "-pk")[:50]
        },
        done=_("申请已提交，等待州市审核。"),
        detail="vouchers:application",
    )


def _application_or_404(request: HttpRequest, pk: int):
    try:
        return services.readable_application(request.user, pk)
    except NotFound as error:
        raise Http404(error.message) from error


@login_required
@require_http_methods(["GET", "POST"])
def application(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: its status and both reviews; a voucher administrator reviews it here
    (州市 first, then 省), each with a comment and a decision."""
    found = _application_or_404(request, pk)
    is_admin = services.is_voucher_admin(request.user)
    if request.method == "POST":
        try:
            services.review(
                found,
                request.user,
                decision=request.POST.get("decision", ""),
                comment=request.POST.get("comment", ""),
            )
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(request, _("审核意见已保存。"))
            return redirect("vouchers:review")
        return redirect("vouchers:application", pk=pk)
    return render(
        request,
        "vouchers/application.html",
        {
            "application": found,
            "can_review": is_admin and found.status in services.PENDING,
            # which review the form records: the prefecture's first, then the province's
            "review_level": (
                _("州市审核") if found.status == ApplicationStatus.SUBMITTED else _("省级审核")
            ),
            "transitions": found.transitions.select_related("by").order_by("at", "pk"),
        },
    )


@login_required
def document(request: HttpRequest, pk: int) -> HttpResponse:
    found = _application_or_404(request, pk)
    return serve_private(found.document, found.document_name)


@login_required
def review(request: HttpRequest) -> HttpResponse:
    """The voucher administrators' queue: applications awaiting 州市 or 省 review, oldest
    first."""
    try:
        pending = services.pending_applications(request.user)
    except Forbidden as error:
        raise Http404(error.message) from error
    return render(
        request,
        "vouchers/review.html",
        {"applications": pending.select_related("programme", "enterprise", "applicant")[:200]},
    )


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The administrators' programme dashboard: budget, committed, spent and available live
    from the ledger, the top providers, and a server-rendered SVG chart with its table."""
    try:
        shown = services.programme_dashboard(request.user)
    except Forbidden as error:
        raise Http404(error.message) from error
    providers = shown["providers"]
    chart = charts.hbar_chart([(row["institution__name"], row["total"]) for row in providers])
    return render(request, "vouchers/dashboard.html", {**shown, "providers_chart": chart})


@login_required
@require_http_methods(["GET", "POST"])
def claims(request: HttpRequest) -> HttpResponse:
    """The provider's claims page: its voucher-subsidised services, open and claimed, and a
    button gathering a month's completed ones into a claim."""
    institutions = list(Institution.objects.for_member(request.user).order_by("name"))
    if request.method == "POST":
        institution = next(
            (i for i in institutions if str(i.pk) == request.POST.get("institution")), None
        )
        try:
            if institution is None:
                raise NotFound(_("请选择本单位"))
            month = services.parse_month(request.POST.get("month", ""))
            claim = services.gather_claim(institution, month, request.user)
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request, _("已提交兑现申请（%(count)s 条）。") % {"count": claim.lines.count()}
            )
        return redirect("vouchers:claims")
    lines = (
        ClaimLine.objects.filter(institution__in=institutions)
        .select_related("use", "claim", "institution")
        .order_by("-pk")[:200]
    )
    return render(
        request,
        "vouchers/claims.html",
        {"institutions": institutions, "lines": lines, "month": timezone.localdate()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def settlement(request: HttpRequest) -> HttpResponse:
    """The administrator's 兑现 page: review claimed lines, form a batch, mark it paid."""
    if not services.is_voucher_admin(request.user):
        raise Http404
    if request.method == "POST":
        try:
            action = request.POST.get("action")
            if action in ("approve", "reject"):
                line = ClaimLine.objects.filter(pk=_int(request.POST.get("line"))).first()
                if line is None:
                    raise NotFound(_("明细不存在"))
                services.decide_line(
                    line,
                    request.user,
                    approve=action == "approve",
                    comment=request.POST.get("comment", ""),
                )
            elif action == "batch":
                services.make_batch(request.user)
            elif action == "paid":
                batch = SettlementBatch.objects.filter(pk=_int(request.POST.get("batch"))).first()
                if batch is None:
                    raise NotFound(_("批次不存在"))
                services.mark_batch_paid(batch, request.user, request.POST.get("reference", ""))
        except WorkflowError as refusal:
            messages.error(request, refusal.message)
        return redirect("vouchers:settlement")
    return render(
        request,
        "vouchers/settlement.html",
        {
            "lines": ClaimLine.objects.filter(status=LineStatus.CLAIMED)
            .select_related("use__balance__enterprise", "institution", "claim")
            .order_by("pk")[:200],
            "batches": SettlementBatch.objects.order_by("-pk")[:50],
        },
    )


@login_required
def export(request: HttpRequest, pk: int, extension: str) -> HttpResponse:
    if not services.is_voucher_admin(request.user) or extension not in ("csv", "xlsx"):
        raise Http404
    batch = SettlementBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    if extension == "csv":
        body, content_type = exports.as_csv(batch), "text/csv; charset=utf-8"
    else:
        body = exports.as_xlsx(batch)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(batch, extension)}"'
    return response


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
