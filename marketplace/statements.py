"""A query the ORM compiles once per process and database and runs again with other values
(`Statement`): an instrument's availability, the catalogue's booking lists and what a
signed-in page reads about its visitor use it. And a list's page read by id (`page_by_ids`):
the statement around the ids kept per model, columns and order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators

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
        return [
            self.model.from_db(using, names, _converted(row, converters, connection))
            for row in rows
        ]


def _converters(model, connection) -> list[tuple]:
    """(position, column, converters) of the model's concrete fields that have any, as the
    ORM's compiler collects them (`SQLCompiler.get_converters`)."""
    table = model._meta.db_table
    return _converters_of(
        [field.get_col(table) for field in model._meta.concrete_fields], connection
    )


def _converters_of(expressions, connection) -> list[tuple]:
    """(position, expression, converters) of the selected expressions that have any."""
    found = []
    for index, expression in enumerate(expressions):
        functions = [
            *connection.ops.get_db_converters(expression),
            *expression.get_db_converters(connection),
        ]
        if functions:
            found.append((index, expression, functions))
    return found


def _database_form(connection, value):
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


# Where the page's ids go in a kept page statement (`page_by_ids`): never a word of SQL.
_IDS_MARK = "__page_ids_7300001__"
_PAGES: dict[tuple, _Page | None] = {}


class _Page(NamedTuple):
    """A list's page statement around its ids, compiled once: the SQL before and after them,
    the converters of its columns, and for model instances how a row makes one (as Django's
    ModelIterable makes it: the model, the attnames of its columns and where they are in the
    row, then the populators of its select_related rows); None for values."""

    before: str
    after: str
    converters: list[tuple]
    instances: tuple | None


def page_by_ids(queryset: QuerySet, ids: Callable[[], tuple[str, tuple]]) -> list | None:
    """The published rows of `queryset` whose ids `ids()`'s SQL selects (a subquery, or a
    list of placeholders, and its parameters), read as `queryset` reads them: its columns,
    joins and order; tuples of the columns for a list read as values (marketplace.api
    read_as_values: its iterable names its `columns`), model instances with their
    select_related rows for a list of instances. The statement around the ids is compiled
    once per process for the model, the columns and the order, and the ids' SQL put in its
    place, instead of the ORM building and compiling the same 10–19 columns and joins for
    every page (0.6–0.9 ms of a deep page's or a walked page's 6 ms on PostgreSQL). Each value
    goes through the converters the ORM would run. None for a queryset it keeps no statement
    for (the caller reads it with the ORM)."""
    rows_class = queryset._iterable_class
    query = queryset.query
    columns = getattr(rows_class, "columns", None)
    if columns is None and rows_class is not ModelIterable:
        return None
    if (
        query.annotations
        or query.extra
        or query.extra_order_by
        or not query.standard_ordering
        or query.distinct
        or query.combinator
        or queryset._prefetch_related_lookups
        or queryset._known_related_objects
    ):
        return None
    shape = (
        ("values", tuple(columns))
        if columns is not None
        else ("instances", _frozen(query.deferred_loading), _frozen(query.select_related))
    )
    key = (query.model, shape, tuple(query.order_by), queryset.db)
    if key not in _PAGES:
        _PAGES[key] = _page_statement(query, columns, queryset.db)
    page = _PAGES[key]
    if page is None:
        return None
    ids_sql, ids_params = ids()
    connection = connections[queryset.db]
    with connection.cursor() as cursor:
        cursor.execute(f"{page.before}{ids_sql}{page.after}", ids_params)
        rows = cursor.fetchall()
    if page.converters:
        rows = [_converted(row, page.converters, connection) for row in rows]
    if page.instances is None:
        return [tuple(row) for row in rows]
    model, init_list, start, end, related = page.instances
    using = queryset.db
    found = []
    for row in rows:
        instance = model.from_db(using, init_list, row[start:end])
        for populator in related:
            populator.populate(row, instance)
        found.append(instance)
    return found


def _converted(row, converters, connection) -> tuple:
    values = list(row)
    for position, expression, functions in converters:
        value = values[position]
        for convert in functions:
            value = convert(value, expression, connection)
        values[position] = value
    return tuple(values)


def _frozen(value):
    """A hashable form of a query's deferred loading or select_related (nested dicts)."""
    if isinstance(value, dict):
        return tuple(sorted((name, _frozen(inner)) for name, inner in value.items()))
    if isinstance(value, (set, frozenset)):
        return tuple(sorted(value))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(inner) for inner in value)
    return value


def _page_statement(query, columns: tuple[str, ...] | None, using: str) -> _Page | None:
    """The page statement of `query`'s model, read as `query` reads (`columns` as values, or
    instances with its deferred columns and select_related), published rows by id in its
    order; None for a model without publication, or when the compiled statement takes
    parameters of its own (the ids would have to go between them)."""
    from django.db.models.expressions import RawSQL

    model = query.model
    if not any(field.name == "live" for field in model._meta.concrete_fields):
        return None
    # The mark is a constant, replaced by the ids' SQL (the ORM's or paging's, values apart).
    page = model._base_manager.filter(pk__in=RawSQL(_IDS_MARK, ()), live=True)  # noqa: S611
    kept = page.order_by(*query.order_by).query.chain()
    if columns is not None:
        kept.set_values(columns)
    else:
        kept.deferred_loading = query.deferred_loading
        kept.select_related = query.select_related
    compiler = kept.get_compiler(using)
    sql, params = compiler.as_sql()
    if params or sql.count(_IDS_MARK) != 1:
        return None
    before, after = sql.split(_IDS_MARK)
    selected = [expression for expression, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = _converters_of(selected, connections[using])
    instances = None
    if columns is None:
        klass_info = compiler.klass_info
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [column.target.attname for column in selected[start:end]]
        related = get_related_populators(klass_info, compiler.select, using)
        instances = (klass_info["model"], init_list, start, end, related)
    return _Page(before, after, converters, instances)
