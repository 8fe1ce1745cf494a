"""The balance never goes below zero under concurrency: twenty people of one enterprise use
its voucher at the same moment on ¥1,000 left; exactly the affordable four get it — on
PostgreSQL (row lock on the balance) and on a file-backed SQLite database (BEGIN IMMEDIATE
transactions queueing on the busy timeout), real threads with a connection each, released
together by a barrier (`tests/voucher_race.py`). The negative controls run the same race
without the service's transaction and must overdraw, or the tests could not catch it."""

from __future__ import annotations

import pytest
from django.db import connection

from tests import race_probe
from tests.voucher_race import race

N = 20


def assert_exactly_four(outcome: dict) -> None:
    assert outcome["errors"] == []  # never "database is locked" or any other failure
    assert outcome["outcomes"] == N
    assert (outcome["ok"], outcome["insufficient"]) == (4, N - 4), outcome
    assert outcome["uses"] == 4
    assert (outcome["available"], outcome["committed"]) == ("0.00", "1000.00")
    assert outcome["ledger"] == []


def run_probe(cli_env, *extra) -> dict:
    return race_probe.run_probe("tests.voucher_race", cli_env, N, *extra)


def test_sqlite_twenty_simultaneous_uses_of_the_last_thousand_yuan_let_exactly_four_through(
    cli_env,
):
    outcome = run_probe(cli_env)
    assert outcome["vendor"] == "sqlite"
    assert_exactly_four(outcome)


def test_sqlite_negative_control_without_the_transaction_overdraws(cli_env):
    outcome = run_probe(cli_env, "--unsafe")
    assert outcome["vendor"] == "sqlite"
    assert outcome["ok"] > 4 or outcome["ledger"] != [], outcome


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_twenty_simultaneous_uses_of_the_last_thousand_yuan_let_exactly_four_through():
    assert connection.vendor == "postgresql"
    outcome = race(N)
    assert outcome["vendor"] == "postgresql"
    assert_exactly_four(outcome)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_negative_control_without_the_row_lock_overdraws():
    outcome = race(N, unsafe=True)
    assert outcome["ok"] > 4 or outcome["ledger"] != [], outcome
