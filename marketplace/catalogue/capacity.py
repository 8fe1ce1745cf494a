"""Incubator vacancies: live counters kept outside the revisioned listing (IncubatorCapacity).

Workflows take and give back workstations through `take_workstations`/`return_workstations`
under a row lock on the counter; members set the figures with `set_vacancy` (the admin's
"空余数" action). Nothing here touches the incubator row, its drafts or its revisions, so
publishing any revision leaves the live figures alone (security finding 5).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext

from marketplace.workflow import Conflict, Forbidden, RuleError

from .models import Incubator, IncubatorCapacity
from .permissions import ListingPermissionPolicy

MAX_COUNT = 2_147_483_647


def _locked(incubator_id: int) -> IncubatorCapacity:
    """The counter row, locked for the rest of the transaction (created at zero if missing)."""
    IncubatorCapacity.objects.get_or_create(incubator_id=incubator_id)
    return IncubatorCapacity.objects.select_for_update().get(incubator_id=incubator_id)


def _reindex(incubator_id: int) -> None:
    """The vacancy is a search facet and shown on public pages: the changed incubator goes
    through the search outbox, and `vacancy_changed` tells the page cache (counter updates
    send no post_save)."""
    from search.indexing import enqueue

    from .signals import vacancy_changed

    enqueue([f"incubator:{incubator_id}"])
    vacancy_changed.send(sender=Incubator, incubator_id=incubator_id)


def take_workstations(incubator: Incubator, count: int) -> int:
    """Take `count` vacant workstations; Conflict if fewer are left. Returns what is left.

    Must run inside the caller's transaction (the workflow's), which holds the lock until it
    commits, so two acceptances at once can never take the vacancy below zero."""
    capacity = _locked(incubator.pk)
    total = Incubator.objects.filter(pk=incubator.pk).values_list("workstations_total", flat=True)
    left = min(capacity.workstations_vacant, total.get())
    if left < count:
        raise Conflict(
            gettext("空余工位不足：申请分配 %(count)s 个，当前仅剩 %(left)s 个")
            % {"count": count, "left": left},
            "not_enough_workstations",
        )
    IncubatorCapacity.objects.filter(pk=capacity.pk).update(workstations_vacant=left - count)
    _reindex(incubator.pk)
    return left - count


def return_workstations(incubator: Incubator, count: int) -> int:
    """Give `count` workstations back, never above the (possibly lowered) total."""
    capacity = _locked(incubator.pk)
    total = Incubator.objects.filter(pk=incubator.pk).values_list("workstations_total", flat=True)
    vacant = min(capacity.workstations_vacant + count, total.get())
    IncubatorCapacity.objects.filter(pk=capacity.pk).update(workstations_vacant=vacant)
    _reindex(incubator.pk)
    return vacant


def _count(value, field: str, total: int, label) -> int:
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isdigit() else value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleError(
            gettext("%(label)s须为非负整数") % {"label": label},
            "vacancy_invalid",
            field=field,
        )
    if value > total:
        raise RuleError(
            gettext("%(label)s不能多于总数 %(total)s") % {"label": label, "total": total},
            "vacancy_above_total",
            field=field,
        )
    return value


@transaction.atomic
def set_vacancy(incubator: Incubator, by, *, workstations, offices) -> IncubatorCapacity:
    """A member of the incubator's institution (or a moderator) sets the live vacancies."""
    if not ListingPermissionPolicy(Incubator).user_has_permission_for_instance(
        by, "change", incubator
    ):
        raise Forbidden(gettext("只有载体所属机构可以修改空余数"))
    incubator = Incubator.objects.get(pk=incubator.pk)  # the live totals
    workstations = _count(
        workstations, "workstations_vacant", incubator.workstations_total, gettext("空余工位")
    )
    offices = _count(offices, "offices_vacant", incubator.offices_total, gettext("空余办公室"))
    capacity = _locked(incubator.pk)
    IncubatorCapacity.objects.filter(pk=capacity.pk).update(
        workstations_vacant=workstations, offices_vacant=offices
    )
    _reindex(incubator.pk)
    capacity.refresh_from_db()
    return capacity


def clamp_to_totals(incubator_ids: list[int]) -> None:
    """After totals changed (a re-import), no vacancy stays above its total."""
    for field, total in (
        ("workstations_vacant", "incubator__workstations_total"),
        ("offices_vacant", "incubator__offices_total"),
    ):
        for pk, limit in IncubatorCapacity.objects.filter(
            incubator_id__in=incubator_ids, **{f"{field}__gt": F(total)}
        ).values_list("pk", total):
            IncubatorCapacity.objects.filter(pk=pk).update(**{field: limit})
