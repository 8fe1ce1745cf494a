"""Writing many new rows fast, for bulk writers (the catalogue import, the embedded index).

Django's `bulk_create` keeps every statement under SQLite's old limit of 999 parameters: a
40-column listing goes in 24 rows per INSERT, each statement compiled anew, which was most of
a 100,000-listing import's write time (docs/performance.md). On SQLite one prepared INSERT
run by `executemany` does the same work in a fraction of the time; other databases keep
`bulk_create` (PostgreSQL takes thousands of rows per statement and returns their ids).
"""

from __future__ import annotations

from django.db import connections, router


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
                rows.append([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
            cursor.executemany(sql, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return False
