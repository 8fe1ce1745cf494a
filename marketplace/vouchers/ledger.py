"""The voucher ledger: every movement writes postings that sum to zero, and moves the
balance's running figures the same way — under the balance's row lock, so it never goes
below zero (the database's check constraints hold the line too)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from .models import ZERO, Account, Balance, Movement, MovementKind, Posting

# Each movement: (account debited, account credited); a release also comes from a claim.
FLOWS: dict[str, tuple[str, str]] = {
    MovementKind.GRANT: (Account.BUDGET, Account.AVAILABLE),
    MovementKind.COMMIT: (Account.AVAILABLE, Account.COMMITTED),
    MovementKind.RELEASE: (Account.COMMITTED, Account.AVAILABLE),
    MovementKind.SPEND: (Account.COMMITTED, Account.SPENT),
    MovementKind.CLAIM: (Account.SPENT, Account.CLAIMED),
    MovementKind.SETTLE: (Account.CLAIMED, Account.SETTLED),
}

# How an account shows in a balance's running figures.
FIGURE = {
    Account.BUDGET: "granted",  # negated: a grant takes from the budget
    Account.AVAILABLE: "available",
    Account.COMMITTED: "committed",
    Account.SPENT: "spent",
    Account.CLAIMED: "spent",
    Account.SETTLED: "spent",
}


def post(
    kind: str,
    balance: Balance,
    amount: Decimal,
    *,
    use=None,
    line=None,
    by=None,
    note: str = "",
    source: str | None = None,
) -> Movement:
    """Write one movement of `amount` on `balance` (locked by the caller); `source` overrides
    the debited account (a rejected claim releases from CLAIMED)."""
    debit, credit = FLOWS[kind]
    debit = source or debit
    movement = Movement.objects.create(
        kind=kind,
        programme_id=balance.programme_id,
        balance=balance,
        use=use,
        line=line,
        amount=amount,
        by=by,
        note=note[:200],
    )
    Posting.objects.bulk_create(
        [
            Posting(
                movement=movement,
                programme_id=balance.programme_id,
                balance=balance,
                account=account,
                amount=signed,
            )
            for account, signed in ((debit, -amount), (credit, amount))
        ]
    )
    for account, signed in ((debit, -amount), (credit, amount)):
        figure = FIGURE[account]
        change = -signed if account == Account.BUDGET else signed
        setattr(balance, figure, getattr(balance, figure) + change)
    balance.save(update_fields=["granted", "available", "committed", "spent", "updated_at"])
    return movement


def zero_totals() -> dict[str, Decimal]:
    return dict.fromkeys(("granted", "available", "committed", "spent", "settled"), ZERO)


def programme_totals(programme_ids=None) -> dict[int, dict[str, Decimal]]:
    """Each programme's figures from its postings (one query): granted, available, committed,
    spent (delivered, whether claimed and settled since or not) and settled."""
    rows = Posting.objects.all()
    if programme_ids is not None:
        rows = rows.filter(programme__in=programme_ids)
    totals: dict[int, dict[str, Decimal]] = {}
    for row in rows.values("programme", "account").annotate(total=Sum("amount")).order_by():
        figures = totals.setdefault(row["programme"], zero_totals())
        amount = row["total"] or ZERO
        figure = FIGURE[row["account"]]
        figures[figure] += -amount if row["account"] == Account.BUDGET else amount
        if row["account"] == Account.SETTLED:
            figures["settled"] += amount
    return totals
