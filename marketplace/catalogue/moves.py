"""What follows an instrument to another institution: rows of other apps that keep the
instrument's institution beside their own (a booking's, for its institution's approval queue)
register here, and every way an instrument changes institution calls `instruments_moved`."""

from __future__ import annotations

from collections.abc import Callable, Iterable

# Each is called with the ids of instruments whose institution may have changed.
MOVE_FOLLOWERS: list[Callable[[list[int]], None]] = []


def instruments_moved(instrument_ids: Iterable[int]) -> None:
    ids = list(instrument_ids)
    if ids:
        for follow in MOVE_FOLLOWERS:
            follow(ids)


def instrument_about_to_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """Before a save: whether it may move the instrument (an instance neither read from the
    database nor saved in this process, or one whose institution is not the one it was read
    or last saved with)."""
    if raw or instance.pk is None:
        instance._may_move = False
        return
    if update_fields is not None and not {"institution", "institution_id"} & set(update_fields):
        instance._may_move = False
        return
    known = getattr(instance, "_saved_institution_id", None) or getattr(
        instance, "_loaded_institution_id", None
    )
    instance._may_move = known is None or known != instance.institution_id


def instrument_saved_moved(sender, instance, created, raw=False, **kwargs) -> None:
    if raw:
        return
    if not created and getattr(instance, "_may_move", False):
        instruments_moved([instance.pk])
    instance._may_move = False
    instance._saved_institution_id = instance.institution_id
