"""Writing many new rows fast, for bulk writers (the catalogue import, the embedded index).

Django's `bulk_create` keeps every statement under SQLite's old limit of 999 parameters: a
40-column listing goes in 24 rows per INSERT, each statement compiled anew, which was most of
a 100,000-listing import's write time (docs/performance.md). On SQLite one prepared INSERT
run by `executemany` does the same work in a fraction of the time; other databases keep
`bulk_create` (PostgreSQL takes thousands of rows per statement and returns their ids).

Turning an object into its row asks every field for its database value
(`pre_save`, `get_db_prep_save`): for a text, number or yes/no column that value is the
attribute itself, and asking cost 1–2 µs per field, a quarter of a bulk import's write time
in the profile (docs/performance.md). Those columns — exactly those field classes, holding
a value of exactly their Python type — are taken as they are; every other column (dates,
times, decimals, JSON, a subclass with its own conversion) still goes through the field.
"""

from __future__ import annotations

from django.db import connections, models, router

# Field classes whose database value, on SQLite, is the attribute itself when it already has
# this Python type (their pre_save is Field's: the attribute; get_db_prep_save returns a
# value of that type unchanged). Exact classes only: a subclass may convert differently.
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
}
_AUTO_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _plain_type(field) -> type | None:
    """The Python type whose values this column takes as they are, or None."""
    if isinstance(field, models.ForeignKey):
        # an id of an integer key: the target's conversion is int's identity
        return int if type(field.target_field) in _AUTO_KEYS else None
    return PLAIN_FIELDS.get(type(field))


def insert_rows(model, objs: list, batch_size: int = 2000) -> bool:
    """INSERT these unsaved objects. Returns whether their primary keys were set (False on
    SQLite, where the caller looks new ids up if it needs them)."""
    if not objs:
        return True
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "sqlite":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return True
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan = [(f.attname, _plain_type(f), f) for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 — names from the model
        quote(model._meta.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            rows = []
            for obj in objs[start : start + batch_size]:
                obj._prepare_related_fields_for_save(operation_name="insert_rows")
                values = obj.__dict__
                row = []
                for attname, plain, field in plan:
                    value = values.get(attname)
                    if plain is not None and (type(value) is plain or value is None):
                        row.append(value)
                    else:
                        row.append(field.get_db_prep_save(field.pre_save(obj, True), connection))
                rows.append(row)
            cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return False


def insert_values(model, rows: list[dict], batch_size: int = 2000) -> None:
    """INSERT rows given as {attname: value} without making model objects (a listing's
    `__init__`, with its modelcluster and Wagtail mixins, was a fifth of an import's write
    time). A column a row leaves out gets the field's default (as a new object would); the values are converted by
    their fields as `save()` would, except that nothing runs `pre_save`: an `auto_now`
    column takes the value the caller gives. SQLite: one prepared INSERT by `executemany`;
    PostgreSQL: COPY. No ids come back: a caller that needs them looks them up."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    plan = [(f.attname, _plain_type(f), f) for f in fields]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = ", ".join(quote(f.column) for f in fields)

    def converted(row: dict) -> list:
        out = []
        for attname, plain, field in plan:
            value = row[attname] if attname in row else field.get_default()
            if plain is not None and (type(value) is plain or value is None):
                out.append(value)
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
