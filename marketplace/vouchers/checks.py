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
        problems.append(f"movement {row['movement']}: postings sum to {row['total']}")
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
        label = f"programme {programme.pk} {programme.name}"
        if granted != available + committed + spent:
            problems.append(
                f"{label}: granted {granted} != available {available} + committed {committed}"
                f" + spent {spent} (difference {granted - available - committed - spent})"
            )
        claims = lines.get((programme.pk,), ZERO)
        if claims != spent:
            problems.append(f"{label}: claims {claims} != spent {spent}")
        if reserved.get((programme.pk,), ZERO) != committed:
            problems.append(
                f"{label}: reserved uses {reserved.get((programme.pk,), ZERO)}"
                f" != committed {committed}"
            )
        if paid.get((programme.pk,), ZERO) != settled:
            problems.append(
                f"{label}: paid lines {paid.get((programme.pk,), ZERO)} != settled {settled}"
            )
        if granted > programme.budget:
            problems.append(f"{label}: granted {granted} exceeds the budget {programme.budget}")
    for balance in Balance.objects.order_by("pk"):
        figures: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for code in Account.values:
            amount = by_balance.get((balance.pk, code), ZERO)
            figures[FIGURE[code]] += -amount if code == Account.BUDGET else amount
        for figure in ("granted", "available", "committed", "spent"):
            if getattr(balance, figure) != figures[figure]:
                problems.append(
                    f"balance {balance.pk}: {figure} {getattr(balance, figure)}"
                    f" != ledger {figures[figure]}"
                )
            if getattr(balance, figure) < 0:
                problems.append(f"balance {balance.pk}: {figure} is negative")
    return problems
