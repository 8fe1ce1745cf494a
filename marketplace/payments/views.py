"""Payment pages: the payer's voucher and history, the institution's ledger (with CSV), the
refund a member records, the payee details a manager sets. Each POST calls one service;
who may do what is decided there and in `visible_payments`."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from marketplace.accounts.models import Institution
from marketplace.accounts.permissions import is_manager_of
from marketplace.csv_safety import neutralise
from marketplace.workflow import NotFound, RuleError, WorkflowError
from marketplace.workflow_pages import page_of

from . import services
from .api import voucher_download
from .models import PaymentStatus
from .payables import registered

PAGE_SIZE = 50


def _payment_or_404(user, pk: int):
    try:
        return services.payment_for(user, pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def voucher(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the voucher (payer or paid institution). POST: the payer uploads it."""
    payment = _payment_or_404(request.user, pk)
    if request.method == "GET":
        if not payment.voucher:
            raise Http404
        return voucher_download(payment)
    uploaded = request.FILES.get("file")
    try:
        if uploaded is None:
            raise RuleError(_("请选择转账凭证文件。"), "file_required", field="file")
        services.attach_voucher(
            payment, request.user, uploaded, request.POST.get("payer_reference", "")
        )
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("转账凭证已上传，等待机构确认到账。"))
    return redirect(payment.payable.get_absolute_url())


@login_required
@require_POST
def complete_refund(request: HttpRequest, pk: int) -> HttpResponse:
    refund = _payment_or_404(request.user, pk)
    try:
        services.complete_offline_refund(refund, request.user, request.POST.get("reference", ""))
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("退款已登记。"))
    return redirect(request.POST.get("next") or refund.payable.get_absolute_url())


def _filters(request: HttpRequest) -> tuple[str, str, str | None]:
    month = request.GET.get("month", "").strip()
    status = request.GET.get("status", "").strip()
    error = None
    try:
        services.parse_month(month)
    except RuleError as exc:
        error, month = exc.message, ""
    if status and status not in PaymentStatus.values:
        error, status = _("状态无效。"), ""
    return month, status, error


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """The payer's own payments and refunds (what they paid for, not their institution's)."""
    month, status, error = _filters(request)
    mine = Q(pk__in=[])
    for spec in registered():
        mine |= Q(**{spec.payer_lookup: request.user})
    rows = services.statement(request.user, month=month, status=status).filter(mine)
    context = _statement(request, rows, month, status, error)
    return render(request, "payments/history.html", context)


def _statement(request: HttpRequest, rows, month: str, status: str, error) -> dict:
    """What a statement page shows: a page of `rows`, their totals and the filters."""
    return {
        "page": page_of(request, rows, PAGE_SIZE),
        "totals": services.totals(rows),
        "month": month,
        "status": status,
        "statuses": PaymentStatus.choices,
        "error": error,
    }


def _institution_or_404(user, code: str) -> Institution:
    institution = Institution.objects.for_member(user).filter(code=code).first()
    if institution is None:
        raise Http404
    return institution


@login_required
def ledger(request: HttpRequest, code: str) -> HttpResponse:
    """An institution's ledger: every payment and refund paid to it, by month and status,
    with totals; `?format=csv` downloads the same rows (UTF-8 with BOM, for Excel/WPS)."""
    institution = _institution_or_404(request.user, code)
    month, status, error = _filters(request)
    rows = services.statement(
        request.user, month=month, status=status, institution_id=institution.pk
    )
    if request.GET.get("format") == "csv":
        return _csv(institution, rows, month)
    return render(
        request,
        "payments/ledger.html",
        {
            "institution": institution,
            **_statement(request, rows, month, status, error),
            "is_manager": is_manager_of(request.user, institution.pk),
        },
    )


def _csv(institution: Institution, rows, month: str) -> HttpResponse:
    stamp = month or timezone.localdate().strftime("%Y-%m-%d")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="ledger-{institution.code}-{stamp}.csv"'
    )
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _("时间"),
            _("类型"),
            _("方式"),
            _("状态"),
            _("金额（元）"),
            _("汇款附言"),
            _("转账凭证号"),
            _("付款方转账流水号"),
            _("付款人"),
            _("事项"),
            _("说明"),
        ]
    )
    for row in rows:
        payable = row.payable
        writer.writerow(
            [
                neutralise(value)
                for value in (
                    timezone.localtime(row.created_at).strftime("%Y-%m-%d %H:%M"),
                    row.get_kind_display(),
                    row.get_method_display(),
                    row.get_status_display(),
                    str(row.amount),
                    row.reference_code,
                    row.reference,
                    row.payer_reference,
                    payable.user.get_full_name() or payable.user.username,
                    str(payable),
                    row.note_text,
                )
            ]
        )
    return response


@login_required
@require_POST
def payee(request: HttpRequest, code: str) -> HttpResponse:
    """A manager sets the payee details from the ledger page (the API's PUT does the same)."""
    institution = _institution_or_404(request.user, code)
    from .serializers import PayeeUpdateSerializer

    body = PayeeUpdateSerializer(data=request.POST)
    if not body.is_valid():
        field, errors = next(iter(body.errors.items()))
        messages.error(request, f"{body.fields[field].label}：{errors[0]}")
    else:
        try:
            services.set_payee(institution, request.user, **body.validated_data)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("收款信息已保存。"))
    return redirect("payments:ledger", code=institution.code)
