"""The ledger's identities, per programme (what `check_voucher_ledger` reports):

- every movement's postings sum to zero;
- granted = available + committed + spent, from the postings, and the balances' running
  figures equal the postings' (per balance);
- the claim lines not rejected add up to spent; committed equals the uses still reserved;
- settled equals the lines paid; granted never exceeds the budget; nothing is negative.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext, pgettext_lazy

from .ledger import FIGURE, programme_totals
from .models import (
    ZERO,
    Account,
    Balance,
    ClaimLine,
    LineStatus,
    Posting,
    Programme,
    UseStatus,
    VoucherUse,
)

# The balance's figures by name, in the reader's (the command's) language.
FIGURE_NAMES = {
    "granted": pgettext_lazy("ledger figure", "核定"),
    "available": pgettext_lazy("ledger figure", "可用"),
    "committed": pgettext_lazy("ledger figure", "占用"),
    "spent": pgettext_lazy("ledger figure", "已使用"),
}


def _sums(queryset, *keys, field: str = "amount") -> dict:
    return {
        tuple(row[key] for key in keys): row["total"] or ZERO
        for row in queryset.values(*keys).annotate(total=Sum(field)).order_by()
    }


def ledger_differences() -> list[str]:
    """Each broken identity as one line; an empty list when the ledger balances."""
    problems: list[str] = []
    unbalanced = Posting.objects.values("movement").annotate(total=Sum("amount")).order_by()
    for row in unbalanced.exclude(total=0):
        problems.append(
            gettext("流水 %(id)s：分录合计 %(total)s，不为零")
            % {"id": row["movement"], "total": row["total"]}
        )
    totals = programme_totals()
    by_balance = _sums(Posting.objects.all(), "balance", "account")
    lines = _sums(ClaimLine.objects.exclude(status=LineStatus.REJECTED), "use__balance__programme")
    paid = _sums(ClaimLine.objects.filter(status=LineStatus.PAID), "use__balance__programme")
    reserved = _sums(
        VoucherUse.objects.filter(status=UseStatus.COMMITTED), "balance__programme", field="share"
    )
    for programme in Programme.objects.order_by("pk"):
        figures = totals.get(programme.pk, {})
        granted, available = figures.get("granted", ZERO), figures.get("available", ZERO)
        committed, spent = figures.get("committed", ZERO), figures.get("spent", ZERO)
        settled = figures.get("settled", ZERO)
        values = {
            "label": gettext("创新券项目 %(id)s %(name)s")
            % {"id": programme.pk, "name": programme.name},
            "granted": granted,
            "available": available,
            "committed": committed,
            "spent": spent,
            "settled": settled,
            "difference": granted - available - committed - spent,
            "claims": lines.get((programme.pk,), ZERO),
            "reserved": reserved.get((programme.pk,), ZERO),
            "paid": paid.get((programme.pk,), ZERO),
            "budget": programme.budget,
        }
        if granted != available + committed + spent:
            problems.append(
                gettext(
                    "%(label)s：核定 %(granted)s ≠ 可用 %(available)s + 占用 %(committed)s"
                    " + 已使用 %(spent)s（相差 %(difference)s）"
                )
                % values
            )
        if values["claims"] != spent:
            problems.append(gettext("%(label)s：申报 %(claims)s ≠ 已使用 %(spent)s") % values)
        if values["reserved"] != committed:
            problems.append(
                gettext("%(label)s：预留的使用 %(reserved)s ≠ 占用 %(committed)s") % values
            )
        if values["paid"] != settled:
            problems.append(gettext("%(label)s：已兑付明细 %(paid)s ≠ 已结算 %(settled)s") % values)
        if granted > programme.budget:
            problems.append(gettext("%(label)s：核定 %(granted)s 超出预算 %(budget)s") % values)
    for balance in Balance.objects.order_by("pk"):
        figures: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for code in Account.values:
            amount = by_balance.get((balance.pk, code), ZERO)
            figures[FIGURE[code]] += -amount if code == Account.BUDGET else amount
        for figure in ("granted", "available", "committed", "spent"):
            if getattr(balance, figure) != figures[figure]:
                problems.append(
                    gettext("余额 %(id)s：%(figure)s %(value)s ≠ 台账 %(ledger)s")
                    % {
                        "id": balance.pk,
                        "figure": FIGURE_NAMES[figure],
                        "value": getattr(balance, figure),
                        "ledger": figures[figure],
                    }
                )
            if getattr(balance, figure) < 0:
                problems.append(
                    gettext("余额 %(id)s：%(figure)s 为负数")
                    % {"id": balance.pk, "figure": FIGURE_NAMES[figure]}
                )
    return problems
