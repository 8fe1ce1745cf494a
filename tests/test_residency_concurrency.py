"""Managers accepting at the same moment never take the public vacancy below zero (PostgreSQL)."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
from django.db import connections

from marketplace.catalogue.models import Incubator
from marketplace.residency import services
from marketplace.residency.models import Application, Status
from tests.factories import IncubatorFactory, MembershipFactory, UserFactory
from tests.residency_fixtures import ApplicationFactory

MANAGERS = 8


def accept_all_at_once(applications, managers, workstations: int) -> list[str]:
    """Each manager accepts a different application in its own thread and connection."""
    barrier = threading.Barrier(len(applications))
    results: list[str] = []
    original_move = services.APPLICATION_FLOW.move

    def slow_move(*args, **kwargs):
        time.sleep(0.05)  # hold the lock a little longer: the others must wait, not slip past
        return original_move(*args, **kwargs)

    def attempt(application, manager):
        try:
            barrier.wait(timeout=30)
            services.accept(Application.objects.get(pk=application.pk), manager, workstations)
            results.append("ok")
        except services.Conflict:
            results.append("conflict")
        except Exception as exc:  # noqa: BLE001 — any other outcome is what the test reports
            results.append(f"error: {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    with mock.patch.object(services.APPLICATION_FLOW, "move", side_effect=slow_move):
        threads = [
            threading.Thread(target=attempt, args=pair)
            for pair in zip(applications, managers, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_for_the_last_workstations_let_exactly_the_right_number_through():
    from django.db import connection

    assert connection.vendor == "postgresql"
    incubator = IncubatorFactory(workstations_total=50, workstations_vacant=5)
    managers = []
    for _ in range(MANAGERS):
        manager = UserFactory()
        MembershipFactory(user=manager, institution=incubator.institution, role="manager")
        managers.append(manager)
    applications = [ApplicationFactory(incubator=incubator) for _ in range(MANAGERS)]

    # 5 free, 8 managers each accepting 2 at once: exactly two can be served, one left over.
    results = accept_all_at_once(applications, managers, 2)

    assert [r for r in results if r.startswith("error")] == []
    assert results.count("ok") == 2
    assert results.count("conflict") == MANAGERS - 2
    incubator = Incubator.objects.get(pk=incubator.pk)
    assert incubator.workstations_vacant == 1
    accepted = Application.objects.filter(incubator=incubator, status=Status.ACCEPTED)
    assert accepted.count() == 2
    assert sum(a.workstations_allocated for a in accepted) == 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_accepts_taking_exactly_the_last_workstations_end_at_zero():
    incubator = IncubatorFactory(workstations_total=10, workstations_vacant=3)
    managers = [UserFactory() for _ in range(MANAGERS)]
    for manager in managers:
        MembershipFactory(user=manager, institution=incubator.institution)
    applications = [ApplicationFactory(incubator=incubator) for _ in range(MANAGERS)]

    results = accept_all_at_once(applications, managers, 1)

    assert [r for r in results if r.startswith("error")] == []
    assert results.count("ok") == 3
    assert Incubator.objects.get(pk=incubator.pk).workstations_vacant == 0
