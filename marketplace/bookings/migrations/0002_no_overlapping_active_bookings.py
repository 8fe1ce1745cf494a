"""On PostgreSQL, the database itself refuses overlapping active bookings of one instrument.

An exclusion constraint over tstzrange(start, end) with btree_gist for the instrument id,
limited to the active statuses. SQLite has no such constraint; there the booking service
serializes check-and-insert in an IMMEDIATE transaction instead.
"""

from django.db import migrations

CONSTRAINT = "booking_no_overlap_while_active"
ACTIVE = "('pending_approval', 'awaiting_payment', 'confirmed')"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE bookings_booking ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (instrument_id WITH =, tstzrange(start, \"end\", '[)') WITH &&) "
        f"WHERE (status IN {ACTIVE})"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_bookings_payments_notifications")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
