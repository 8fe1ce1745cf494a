"""A workflow item's service was completed: the one call the workflows make, heard on top.

A completing service (a booking's `complete`, a sample order's `complete`) calls
`service_completed(item, by)` inside its transaction; the open-sharing ledger
(`marketplace.sharing`, which sits on top of the workflows) listens and records the usage.
The kernel knows no listener and no workflow: a plain Django signal carries the item.
"""

from __future__ import annotations

from django.dispatch import Signal

# sender: the item's model class; kwargs: item, by (who completed it).
completed = Signal()


def service_completed(item, by) -> None:
    """Tell the listeners (inside the caller's transaction) that `item` was completed."""
    completed.send(sender=type(item), item=item, by=by)
