"""The voucher ledger: every movement writes postings that sum to zero, and moves the
balance's running figures the same way — under the balance's row lock, so it never goes
below zero (the database's check constraints hold the line too)."""

from __future__ import annotations

from decimal import Decimal

from .models import Account, Balance, Movement, MovementKind, Posting

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
