"""A query the ORM compiles once per process and database and runs again with other values
(`Statement`): an instrument's availability, the catalogue's booking lists and what a
signed-in page reads about its visitor use it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

UTC = dt.UTC


class Statement:
    """A query the ORM compiles once per process and database, then run again with other
    values: building and compiling a small query costs more than running it, and a
    single-instrument request is a few of them.

    `build(*values)` makes the query from the values (ints, strings, aware datetimes). It is
    compiled with stand-ins; the positions of their database forms among the compiled
    parameters are remembered, and each run puts the real values' forms there, written as
    the ORM writes them. The rows are the database's own: no ORM converters (cast times and
    booleans where the engines differ)."""

    def __init__(self, build: Callable[..., QuerySet], *kinds: type):
        self.build = build
        self.kinds = kinds
        self.compiled: dict[str, tuple[str, tuple, list[tuple[int, int]]]] = {}

    def rows(self, *values, using: str = "default") -> list[tuple]:
        connection = connections[using]
        compiled = self.compiled.get(using)
        if compiled is None:
            compiled = self.compiled[using] = self._compile(using)
        sql, params, slots = compiled
        params = list(params)
        for position, index in slots:
            params[position] = _database_form(connection, values[index])
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _compile(self, using: str):
        connection = connections[using]
        stand_ins = [_STAND_INS[kind](index) for index, kind in enumerate(self.kinds)]
        sql, params = self.build(*stand_ins).query.get_compiler(using=using).as_sql()
        forms = {_database_form(connection, value): index for index, value in enumerate(stand_ins)}
        slots = [
            (position, forms[param]) for position, param in enumerate(params) if param in forms
        ]
        if {index for _position, index in slots} != set(range(len(stand_ins))):
            raise ValueError("a value of the statement is not a parameter of its SQL")
        return sql, tuple(params), slots


# Stand-ins that no constant of a statement's query equals (its statuses, flags and kinds):
# they are only compiled, never run; the real values are put in by position.
_STAND_INS: dict[type, Callable[[int], object]] = {
    int: lambda index: -7_300_001 - index,
    str: lambda index: f"<stand-in {index}>",
    dt.datetime: lambda index: dt.datetime(2999, 12, 31, 23, 59, 50 + index, tzinfo=UTC),
}


class ModelStatement(Statement):
    """A `Statement` whose query reads a model's rows (`build` returns `Model.objects.filter(…)`,
    every concrete field in the model's order), made into instances as the ORM makes them:
    each value through the converters the ORM would run (SQLite's text times and integer
    booleans into datetimes and bools), then `Model.from_db`."""

    def __init__(self, model, build: Callable[..., QuerySet], *kinds: type):
        super().__init__(build, *kinds)
        self.model = model
        self.converters: dict[str, list] = {}

    def objects(self, *values, using: str = "default") -> list:
        connection = connections[using]
        rows = self.rows(*values, using=using)
        if not rows:
            return []
        converters = self.converters.get(using)
        if converters is None:
            converters = self.converters[using] = _converters(self.model, connection)
        names = [field.attname for field in self.model._meta.concrete_fields]
        if len(rows[0]) != len(names):
            raise ValueError(f"the statement's rows are not {self.model.__name__}'s columns")
        objects = []
        for row in rows:
            values = list(row)
            for index, expression, functions in converters:
                for convert in functions:
                    values[index] = convert(values[index], expression, connection)
            objects.append(self.model.from_db(using, names, values))
        return objects


def _converters(model, connection) -> list[tuple]:
    """(position, column, converters) of the model's concrete fields that have any, as the
    ORM's compiler collects them (`SQLCompiler.get_converters`)."""
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        functions = [
            *connection.ops.get_db_converters(column),
            *column.get_db_converters(connection),
        ]
        if functions:
            found.append((index, column, functions))
    return found


def _database_form(connection, value):
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
