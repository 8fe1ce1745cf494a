"""Writing many new rows fast, for bulk writers (the catalogue import, the embedded index).

`insert_values` takes rows as {attname: value}, never making a model object (a listing's
`__init__`, with its modelcluster and Wagtail mixins, was a fifth of an import's write
time), and writes them with one prepared INSERT run by `executemany` on SQLite (Django's
`bulk_create` kept each statement under SQLite's old 999-parameter limit, 24 listings per
statement, each compiled anew) and with COPY on PostgreSQL (docs/performance.md, "Import
speed").

Each value is converted by its field (`get_db_prep_save`), except where that is the value
itself: a text, number, decimal or yes/no column of exactly those field classes holding a
value of exactly its Python type, and on PostgreSQL a date or time column (asking cost 1–2
µs per field, a quarter of the write time in the profile; on PostgreSQL the opening hours'
535,000 times were the largest share left). Datetimes, JSON and any subclass with its own conversion still go
through the field.
"""

from __future__ import annotations

import datetime
import decimal
from contextlib import contextmanager

from django.db import connections, models, router

# Field classes whose database value is the value itself when it already has this Python
# type (get_db_prep_save returns a value of that type unchanged, on SQLite and PostgreSQL).
# Exact classes only: a subclass may convert differently.
PLAIN_FIELDS = {
    models.CharField: str,
    models.TextField: str,
    models.EmailField: str,
    models.URLField: str,
    models.SlugField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.BooleanField: bool,
    models.FloatField: float,
    # a finite Decimal (DecimalField.to_python of a Decimal is an equal Decimal; no backend's
    # adapt_decimalfield_value changes it); a non-finite one still goes through the field,
    # which refuses it as save() would
    models.DecimalField: decimal.Decimal,
}
# On PostgreSQL a date or time column takes a date or time as it is too (the backend's
# adapt_datefield_value and adapt_timefield_value return it; SQLite's make text of it).
POSTGRESQL_PLAIN_FIELDS = {models.DateField: datetime.date, models.TimeField: datetime.time}
_AUTO_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)
_IMMUTABLE = {datetime.datetime, datetime.date, datetime.time, decimal.Decimal}


def _plain_type(field, connection) -> type | None:
    """The Python type whose values this column takes as they are, or None."""
    if isinstance(field, models.ForeignKey):
        # an id of an integer key: the target's conversion is int's identity
        return int if type(field.target_field) in _AUTO_KEYS else None
    if connection.vendor == "postgresql" and type(field) in POSTGRESQL_PLAIN_FIELDS:
        return POSTGRESQL_PLAIN_FIELDS[type(field)]
    return PLAIN_FIELDS.get(type(field))


def insert_values(model, rows: list[dict], batch_size: int = 2000) -> None:
    """INSERT rows given as {attname: value}. A column a row leaves out gets the field's
    default (as a new object would); the values are converted as `save()` would, except
    that nothing runs `pre_save`: an `auto_now` column takes the value the caller gives.
    No ids come back: a caller that needs them looks them up."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan = [(f.attname, _plain_type(f, connection), f) for f in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)

    # The last date, time, datetime or decimal each column converted: an import writes the
    # same timestamp into every row (these types are immutable, so the same object converts
    # to the same value).
    last: dict[str, tuple] = {}

    def converted(row: dict) -> list:
        out = []
        for attname, plain, field in plan:
            value = row[attname] if attname in row else field.get_default()
            if plain is not None and (type(value) is plain or value is None):
                if plain is decimal.Decimal and value is not None and not value.is_finite():
                    out.append(field.get_db_prep_save(value, connection))  # raises
                else:
                    out.append(value)
            elif type(value) in _IMMUTABLE:
                seen = last.get(attname)
                if seen is None or seen[0] is not value:
                    seen = last[attname] = (value, field.get_db_prep_save(value, connection))
                out.append(seen[1])
            else:
                out.append(field.get_db_prep_save(value, connection))
        return out

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608
                for row in rows:
                    copy.write_row(converted(row))
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, [converted(row) for row in rows[start : start + batch_size]])


@contextmanager
def secondary_indexes_rebuilt(connection, tables: list[str]):
    """PostgreSQL: drop these tables' indexes that no constraint needs, and create them again
    when the block ends, all in the caller's transaction (DDL is transactional there), so that
    many new rows go in without maintaining each index row by row: a GIN index built over
    95,000 search vectors in one pass took about half the time of inserting them into it
    (docs/performance.md, "Import speed"). Dropping an index locks its table until the
    commit: for a table being filled from empty, not for one readers use. A block that
    raises leaves the indexes as they were (the transaction rolls back)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1",
            [tables],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
