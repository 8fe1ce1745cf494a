"""On PostgreSQL: the suite runs there, every migration is applied, and btree_gist is available."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_suite_is_running_on_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        assert int(cursor.fetchone()[0]) >= 130000


def test_every_migration_is_applied_with_nothing_pending():
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    assert plan == []


def test_btree_gist_can_be_enabled_for_booking_exclusion_constraints():
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")
        assert cursor.fetchone() == ("btree_gist",)


def test_institution_credit_code_uniqueness_is_held_by_the_database():
    from django.db import IntegrityError, transaction

    from tests.factories import InstitutionFactory

    first = InstitutionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        InstitutionFactory(credit_code=first.credit_code)
