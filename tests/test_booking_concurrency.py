"""No double booking under concurrency: 50 simultaneous overlapping requests, exactly one wins."""

import pytest

from tests import race_probe
from tests.booking_race import race

N = 50


def run_probe(cli_env, *extra):
    return race_probe.run_probe("tests.booking_race", cli_env, N, *extra)


def test_sqlite_serializes_fifty_overlapping_requests(cli_env):
    outcome = run_probe(cli_env)
    assert outcome["vendor"] == "sqlite"
    assert outcome["errors"] == []  # never "database is locked" or any other failure
    assert outcome["ok"] == 1
    assert outcome["conflict"] == N - 1
    assert outcome["rows"] == 1


def test_sqlite_negative_control_without_the_serializing_transaction_double_books(cli_env):
    outcome = run_probe(cli_env, "--unsafe")
    assert outcome["rows"] > 1, outcome


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_exclusion_constraint_lets_exactly_one_of_fifty_through():
    outcome = race(N)
    assert outcome["vendor"] == "postgresql"
    assert outcome["errors"] == []
    assert outcome["ok"] == 1
    assert outcome["conflict"] == N - 1
    assert outcome["rows"] == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_negative_control_without_the_constraint_double_books():
    outcome = race(N, unsafe=True)
    assert outcome["rows"] > 1, outcome
