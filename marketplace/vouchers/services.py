"""Every rule and movement of 科技创新券, in one place: applying and the two reviews, the
grant, using a voucher at checkout, spending and releasing it as the service completes or
ends, providers' claims and settlement batches. Pages, API, admin and commands call these.

The vouchers app hears about workflow items only through the payables registry (what an item
is, who pays, which institution provides it) and two signals: `completions.completed` (spend)
and `workflow.ended` (release).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from marketplace.accounts.permissions import is_member_of
from marketplace.accounts.validators import is_valid_credit_code
from marketplace.payments import services as payments
from marketplace.payments.payables import model_for, spec_for
from marketplace.uploads import validate_pdf
from marketplace.workflow import Conflict, Forbidden, NotFound, RuleError

from .groups import ADMINS_GROUP
from .ledger import post, programme_totals, zero_totals
from .models import (
    ZERO,
    Account,
    Application,
    ApplicationStatus,
    Balance,
    Claim,
    ClaimLine,
    ClaimStatus,
    Decision,
    Enterprise,
    EnterpriseMember,
    LineStatus,
    MovementKind,
    Programme,
    ProgrammeStatus,
    SettlementBatch,
    UseStatus,
    VoucherUse,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CENT = Decimal("0.01")


def is_voucher_admin(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=ADMINS_GROUP).exists())
    )


def _require_admin(user) -> None:
    if not is_voucher_admin(user):
        raise Forbidden(
            gettext("只有创新券管理员可以操作"),
            "not_voucher_admin",
        )


def local_year(at: dt.datetime | None = None) -> int:
    return timezone.localtime(at or timezone.now(), SHANGHAI).year


def enterprise_of(user) -> Enterprise | None:
    if not user.is_authenticated:
        return None
    member = EnterpriseMember.objects.select_related("enterprise").filter(user=user).first()
    return member.enterprise if member else None


def balances_of(enterprise: Enterprise | None):
    """The enterprise's balances, newest year first (none without an enterprise)."""
    if enterprise is None:
        return Balance.objects.none()
    return (
        Balance.objects.filter(enterprise=enterprise)
        .select_related("programme")
        .order_by("-year", "programme__name")
    )


def payable_model(name: str):
    """The payable model of a model name a voucher can be used on, else None."""
    return model_for(name) if name else None


# --- Eligibility: apply, review, grant --------------------------------------------------------


@transaction.atomic
def apply(user, programme: Programme, *, name: str, credit_code: str, document) -> Application:
    """The user applies for their enterprise (found or made by its 统一社会信用代码) with a PDF."""
    name = (name or "").strip()[:200]
    credit_code = (credit_code or "").strip().upper()
    if not name:
        raise RuleError(gettext("请填写企业名称"), field="name")
    if not is_valid_credit_code(credit_code):
        raise RuleError(
            gettext("统一社会信用代码无效"),
            "credit_code",
            field="credit_code",
        )
    if document is None:
        raise RuleError(
            gettext("请上传申请材料（PDF）"),
            "document_required",
            field="document",
        )
    safe_name = validate_pdf(document, user=user)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    today = timezone.localdate()
    if programme.status != ProgrammeStatus.OPEN or not (
        programme.valid_from <= today <= programme.valid_to
    ):
        raise Conflict(gettext("该项目当前不受理申请"), "closed")
    enterprise, _created = Enterprise.objects.get_or_create(
        credit_code=credit_code, defaults={"name": name}
    )
    member = EnterpriseMember.objects.filter(user=user).first()
    if member is None:
        EnterpriseMember.objects.create(user=user, enterprise=enterprise)
    elif member.enterprise_id != enterprise.pk:
        raise Conflict(
            gettext("您已代表另一家企业申请"),
            "other_enterprise",
        )
    year = today.year
    if (
        Application.objects.filter(programme=programme, enterprise=enterprise, year=year)
        .exclude(status=ApplicationStatus.REJECTED)
        .exists()
    ):
        raise Conflict(
            gettext("本企业本年度已申请该项目"),
            "already_applied",
        )
    application = Application(programme=programme, enterprise=enterprise, applicant=user, year=year)
    application.document.save(safe_name, document, save=False)
    application.document_name = safe_name
    application.save()
    application.transitions.create(from_status="", to_status=application.status, by=user)
    return application


# The review each pending status awaits: (the level's field prefix, the status it approves to).
REVIEW_LEVELS = {
    ApplicationStatus.SUBMITTED: ("prefecture", ApplicationStatus.PREFECTURE_APPROVED),
    ApplicationStatus.PREFECTURE_APPROVED: ("province", ApplicationStatus.APPROVED),
}


@transaction.atomic
def review(application: Application, by, *, decision: str, comment: str = "") -> Application:
    """The next review: 州市 on a submitted application, 省 on one the 州市 approved; the
    province's approval grants the balance."""
    _require_admin(by)
    if decision not in Decision.values:
        raise RuleError(
            gettext("请选择审核结论"),
            "decision",
            field="decision",
        )
    comment = (comment or "").strip()[:500]
    if decision == Decision.REJECT and not comment:
        raise RuleError(
            gettext("不通过须填写意见"),
            "comment_required",
            field="comment",
        )
    application = Application.objects.select_for_update().get(pk=application.pk)
    from_status = application.status
    if from_status not in REVIEW_LEVELS:
        raise Conflict(
            gettext("该申请已审核完毕"),
            "transition_not_allowed",
        )
    level, approved = REVIEW_LEVELS[from_status]
    for field, value in (
        ("decision", decision),
        ("comment", comment),
        ("by", by),
        ("at", timezone.now()),
    ):
        setattr(application, f"{level}_{field}", value)
    application.status = approved if decision == Decision.APPROVE else ApplicationStatus.REJECTED
    application.save()
    application.transitions.create(
        from_status=from_status, to_status=application.status, by=by, note=comment
    )
    if application.status == ApplicationStatus.APPROVED:
        grant(application.programme, application.enterprise, application.year, by=by)
    return application


PENDING = (ApplicationStatus.SUBMITTED, ApplicationStatus.PREFECTURE_APPROVED)


def open_programmes():
    """The programmes accepting applications today."""
    today = timezone.localdate()
    return Programme.objects.filter(
        status=ProgrammeStatus.OPEN, valid_from__lte=today, valid_to__gte=today
    ).order_by("valid_to", "pk")


def applications_of(user):
    """The applications the user may read: their enterprise's, and their own."""
    if not user.is_authenticated:
        return Application.objects.none()
    mine = Q(applicant=user) | Q(enterprise__members__user=user)
    return Application.objects.filter(mine).distinct()


def pending_applications(user):
    """Applications awaiting a review (州市 or 省), oldest first — voucher administrators only."""
    _require_admin(user)
    return Application.objects.filter(status__in=PENDING).order_by("created_at", "pk")


def readable_application(user, pk: int) -> Application:
    """The application, for its enterprise's people and the voucher administrators; else a
    NotFound (no hint that it exists)."""
    rows = Application.objects.all() if is_voucher_admin(user) else applications_of(user)
    found = (
        rows.select_related("programme", "enterprise", "applicant", "prefecture_by", "province_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(gettext("未找到该申请"))
    return found


def grant(programme: Programme, enterprise: Enterprise, year: int, *, by=None) -> Balance:
    """The enterprise's balance for the year: the annual cap, as far as the budget goes."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    granted = programme.balances.aggregate(total=Sum("granted"))["total"] or ZERO
    amount = min(programme.enterprise_annual_cap, programme.budget - granted)
    balance, _created = Balance.objects.get_or_create(
        programme=programme, enterprise=enterprise, year=year
    )
    balance = Balance.objects.select_for_update().get(pk=balance.pk)
    if balance.granted > 0:
        raise Conflict(gettext("本年度额度已核定"), "granted")
    if amount <= 0:
        raise Conflict(gettext("项目预算已用完"), "budget")
    post(MovementKind.GRANT, balance, amount, by=by, note=f"{enterprise.credit_code} {year}")
    return balance


# --- At checkout ----------------------------------------------------------------------------


def _locked_item(item):
    return type(item).objects.select_for_update().get(pk=item.pk)


def _service_of(item):
    """(payable spec, kind, providing institution, instrument category or "")."""
    spec = spec_for(item)
    instrument = getattr(item, "instrument", None)
    return spec, spec.service_kind, spec.institution(item), getattr(instrument, "category", "")


def _eligible_balances(enterprise: Enterprise, kind: str, institution, category: str, year: int):
    balances = (
        Balance.objects.filter(enterprise=enterprise, year=year, programme__in=open_programmes())
        .select_related("programme")
        .prefetch_related("programme__institutions")
        .order_by("programme__valid_to", "pk")
    )
    for balance in balances:
        programme = balance.programme
        if kind not in programme.kinds:
            continue
        allowed = [inst.pk for inst in programme.institutions.all()]
        if allowed and institution.pk not in allowed:
            continue
        if programme.categories and category not in programme.categories:
            continue
        yield balance


def voucher_share(programme: Programme, price: Decimal) -> Decimal:
    """The programme's share of `price`: its percentage, at most its per-order cap."""
    share = (price * programme.subsidy_percent / Decimal(100)).quantize(
        CENT, rounding=ROUND_HALF_UP
    )
    return min(share, programme.order_cap)


def quote(item, user) -> dict:
    """What the payer would pay with a voucher: {"use", "eligible", "reason", "price",
    "share", "payer_share", "balance"} — shown on the pay panel before paying."""
    active = active_use(item)
    price = item.price or ZERO
    result = {"use": active, "eligible": False, "reason": "", "price": price}
    result.update(share=ZERO, payer_share=price, balance=None)
    if active is not None:
        result.update(
            eligible=True,
            share=active.share,
            payer_share=active.payer_share,
            balance=active.balance,
        )
        return result
    try:
        balance, share = _check_use(item, user)
    except (Conflict, Forbidden, RuleError) as refusal:
        result["reason"] = refusal.message
        return result
    result.update(eligible=True, share=share, payer_share=price - share, balance=balance)
    return result


def _check_use(item, user, *, lock: bool = False) -> tuple[Balance, Decimal]:
    """The balance to draw on and the voucher share; every guard refuses with a reason."""
    spec, kind, institution, category = _service_of(item)
    if item.user_id != user.pk:
        raise Forbidden(gettext("只有付款人可以使用创新券"))
    enterprise = enterprise_of(user)
    if enterprise is None:
        raise Conflict(gettext("您的企业尚未获得创新券"), "no_voucher")
    if not kind or not spec.awaiting_payment(item) or payments.kept_total(item) > 0:
        raise Conflict(gettext("只能在付款前使用创新券"), "not_payable")
    if enterprise.institution_id == institution.pk or is_member_of(user, institution.pk):
        raise Conflict(
            gettext("不能在本单位的服务上使用创新券"),
            "self_dealing",
        )
    candidates = list(_eligible_balances(enterprise, kind, institution, category, local_year()))
    if not candidates:
        raise Conflict(gettext("该服务不在创新券支持范围内"), "not_eligible")
    price = item.price or ZERO
    for balance in candidates:
        share = voucher_share(balance.programme, price)
        if lock:
            balance = Balance.objects.select_for_update().get(pk=balance.pk)
        if share > 0 and balance.available >= share:
            return balance, share
    raise Conflict(
        gettext("创新券余额不足"),
        "balance_insufficient",
    )


def active_use(item) -> VoucherUse | None:
    return (
        VoucherUse.objects.filter(item_type=item._meta.model_name, item_id=item.pk)
        .exclude(status=UseStatus.RELEASED)
        .select_related("balance__programme")
        .first()
    )


def covered(item) -> Decimal:
    """The payables hook: the voucher's share of the item, if one is used on it."""
    use = active_use(item)
    return use.share if use is not None else ZERO


@transaction.atomic
def use_voucher(item, user) -> VoucherUse:
    """The payer chooses to use the voucher: its share is reserved (committed) at once, so a
    payer never pays their share to find the balance gone; open payment attempts for the
    full price are withdrawn."""
    item = _locked_item(item)
    if active_use(item) is not None:
        raise Conflict(
            gettext("该服务已使用创新券"),
            "already_used",
        )
    balance, share = _check_use(item, user, lock=True)
    spec, kind, institution, _category = _service_of(item)
    use = VoucherUse.objects.create(
        balance=balance,
        item_type=item._meta.model_name,
        item_id=item.pk,
        kind=kind,
        description=spec.describe(item)[:300],
        institution=institution,
        user=user,
        price=item.price,
        share=share,
        payer_share=item.price - share,
    )
    post(MovementKind.COMMIT, balance, share, use=use, by=user)
    payments.close_open_attempts(item)
    return use


def _release(use: VoucherUse, by, note: str) -> None:
    balance = Balance.objects.select_for_update().get(pk=use.balance_id)
    post(MovementKind.RELEASE, balance, use.share, use=use, by=by, note=note)
    use.status = UseStatus.RELEASED
    use.save(update_fields=["status", "updated_at"])


@transaction.atomic
def withdraw_voucher(item, user) -> None:
    """The payer changes their mind before paying: the reservation is released."""
    item = _locked_item(item)
    if item.user_id != user.pk:
        raise Forbidden(gettext("只有付款人可以操作"))
    use = (
        VoucherUse.objects.select_for_update()
        .filter(item_type=item._meta.model_name, item_id=item.pk, status=UseStatus.COMMITTED)
        .first()
    )
    if use is None:
        raise NotFound(gettext("该服务未使用创新券"))
    if payments.kept_total(item) > 0 or not spec_for(item).awaiting_payment(item):
        raise Conflict(gettext("已付款，不能撤回创新券"), "paid")
    _release(use, user, "withdrawn")
    payments.close_open_attempts(item)


def _locked_use(item) -> VoucherUse | None:
    if model_for(item._meta.model_name) is None:
        return None
    return (
        VoucherUse.objects.select_for_update()
        .filter(item_type=item._meta.model_name, item_id=item.pk, status=UseStatus.COMMITTED)
        .first()
    )


def on_service_ended(sender, item, by=None, **kwargs) -> None:
    """Cancelled, expired, rejected, declined, no-show: the reservation goes back."""
    use = _locked_use(item)
    if use is not None:
        _release(use, by, f"{item._meta.model_name} {item.status}")


def _evidence(item) -> dict:
    paid = [
        {
            "payment": payment.pk,
            "method": payment.method,
            "amount": f"{payment.amount}",
            "reference": payment.reference or payment.stripe_payment_intent,
            "at": timezone.localtime(payment.updated_at, SHANGHAI).isoformat(),
        }
        for payment in item.payments.filter(kind="payment", status="succeeded")
    ]
    evidence = {"item": item._meta.model_name, "id": item.pk, "payments": paid}
    if getattr(item, "actual_minutes", None) is not None:
        evidence["actual_minutes"] = item.actual_minutes
    return evidence


def on_service_completed(sender, item, by=None, **kwargs) -> None:
    """The service was delivered: the reserved share is spent and becomes claimable."""
    use = _locked_use(item)
    if use is None:
        return
    balance = Balance.objects.select_for_update().get(pk=use.balance_id)
    post(MovementKind.SPEND, balance, use.share, use=use, by=by)
    use.status = UseStatus.SPENT
    use.spent_at = timezone.now()
    use.save(update_fields=["status", "spent_at", "updated_at"])
    ClaimLine.objects.create(
        use=use, institution_id=use.institution_id, amount=use.share, evidence=_evidence(item)
    )


# --- The administrators' programme dashboard ---------------------------------------------------


def programme_dashboard(user, *, top: int = 10) -> dict:
    """Every programme's budget, granted, committed, spent, settled and available (budget less
    committed and spent), live from the ledger, and the providers delivering the most
    voucher-subsidised services (spent, whether claimed or settled since). Four queries."""
    _require_admin(user)
    programmes = list(Programme.objects.order_by("-valid_from", "pk"))
    totals = programme_totals([programme.pk for programme in programmes])
    rows = []
    for programme in programmes:
        figures = totals.get(programme.pk) or zero_totals()
        available = programme.budget - figures["committed"] - figures["spent"]
        rows.append({"programme": programme, **figures, "available": available})
    providers = list(
        ClaimLine.objects.exclude(status=LineStatus.REJECTED)
        .values("institution", "institution__name")
        .annotate(total=Sum("amount"), services=Count("pk"))
        .order_by("-total", "institution__name")[:top]
    )
    for row in providers:  # SQLite's sums lose the decimal places
        row["total"] = row["total"].quantize(CENT)
    return {"programmes": rows, "providers": providers}


# --- Settlement (兑现) -----------------------------------------------------------------------


def parse_month(value: str) -> dt.date:
    """'2026-12' → the first of that month; a RuleError naming `month` otherwise (the
    payments statement's parser, which also allows an empty value)."""
    bounds = payments.parse_month(value)
    if bounds is None:
        raise RuleError(
            gettext("月份格式应为 YYYY-MM"),
            "month",
            field="month",
        )
    return bounds[0].date()


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of `month` and of the next, in Asia/Shanghai."""
    return payments.parse_month(f"{month.year:04d}-{month.month:02d}")


@transaction.atomic
def gather_claim(institution, month: dt.date, by) -> Claim:
    """A provider's claim for a month: its open lines of services completed in that month."""
    if not is_member_of(by, institution.pk):
        raise Forbidden(gettext("只有服务机构成员可以申请兑现"))
    month = month.replace(day=1)
    start, following = month_bounds(month)
    if following > timezone.now() + dt.timedelta(days=31):
        raise RuleError(gettext("月份无效"), "month", field="month")
    lines = list(
        ClaimLine.objects.select_for_update()
        .filter(
            institution=institution,
            status=LineStatus.OPEN,
            use__spent_at__gte=start,
            use__spent_at__lt=following,
        )
        .select_related("use")
        .order_by("pk")
    )
    if not lines:
        raise Conflict(gettext("该月没有可申请兑现的服务"), "empty")
    claim = Claim.objects.create(institution=institution, month=month, submitted_by=by)
    for line in lines:
        balance = Balance.objects.select_for_update().get(pk=line.use.balance_id)
        post(MovementKind.CLAIM, balance, line.amount, use=line.use, line=line, by=by)
        line.claim = claim
        line.status = LineStatus.CLAIMED
        line.save(update_fields=["claim", "status"])
    return claim


@transaction.atomic
def decide_line(line: ClaimLine, by, *, approve: bool, comment: str = "") -> ClaimLine:
    """The administrator approves or rejects one line; a rejected line's amount goes back to
    the enterprise's balance (the provider is not paid for it)."""
    _require_admin(by)
    line = ClaimLine.objects.select_for_update().select_related("use").get(pk=line.pk)
    comment = (comment or "").strip()[:500]
    if line.status != LineStatus.CLAIMED:
        raise Conflict(
            gettext("该明细不在待审核状态"),
            "transition_not_allowed",
        )
    if not approve and not comment:
        raise RuleError(
            gettext("驳回须填写意见"),
            "comment_required",
            field="comment",
        )
    line.status = LineStatus.APPROVED if approve else LineStatus.REJECTED
    line.comment = comment
    line.decided_by = by
    line.decided_at = timezone.now()
    line.save(update_fields=["status", "comment", "decided_by", "decided_at"])
    if not approve:
        balance = Balance.objects.select_for_update().get(pk=line.use.balance_id)
        post(
            MovementKind.RELEASE,
            balance,
            line.amount,
            use=line.use,
            line=line,
            by=by,
            note="claim rejected",
            source=Account.CLAIMED,
        )
    claim = Claim.objects.select_for_update().get(pk=line.claim_id)
    if not claim.lines.filter(status=LineStatus.CLAIMED).exists():
        claim.status = ClaimStatus.DECIDED
        claim.save(update_fields=["status"])
    return line


@transaction.atomic
def make_batch(by, claim_ids: list[int] | None = None) -> SettlementBatch:
    """The decided claims (all, or those named) not yet in a batch form a settlement batch."""
    _require_admin(by)
    claims = Claim.objects.select_for_update().filter(status=ClaimStatus.DECIDED, batch=None)
    if claim_ids is not None:
        claims = claims.filter(pk__in=claim_ids)
    claims = list(claims.order_by("pk"))
    if not claims:
        raise Conflict(gettext("没有可结算的兑现申请"), "empty")
    batch = SettlementBatch.objects.create(created_by=by)
    total = (
        ClaimLine.objects.filter(claim__in=claims, status=LineStatus.APPROVED).aggregate(
            total=Sum("amount")
        )["total"]
        or ZERO
    )
    Claim.objects.filter(pk__in=[claim.pk for claim in claims]).update(
        batch=batch, status=ClaimStatus.BATCHED
    )
    batch.total = total
    batch.save(update_fields=["total"])
    return batch


@transaction.atomic
def mark_batch_paid(batch: SettlementBatch, by, reference: str) -> SettlementBatch:
    """The finance office paid the batch: every approved line is settled."""
    _require_admin(by)
    reference = (reference or "").strip()[:100]
    if not reference:
        raise RuleError(
            gettext("请填写付款凭证号"),
            "reference_required",
            field="reference",
        )
    batch = SettlementBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.is_paid:
        raise Conflict(gettext("该批次已兑付"), "paid")
    lines = ClaimLine.objects.select_for_update().filter(
        claim__batch=batch, status=LineStatus.APPROVED
    )
    for line in lines.select_related("use"):
        balance = Balance.objects.select_for_update().get(pk=line.use.balance_id)
        post(MovementKind.SETTLE, balance, line.amount, use=line.use, line=line, by=by)
        line.status = LineStatus.PAID
        line.save(update_fields=["status"])
    batch.claims.update(status=ClaimStatus.PAID)
    batch.paid_reference = reference
    batch.paid_at = timezone.now()
    batch.save(update_fields=["paid_reference", "paid_at"])
    return batch
