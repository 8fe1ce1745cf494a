"""PostgreSQL's times read by psycopg's C loader (issue 17).

Django registers its own `timestamptz` loader on every psycopg connection
(django.db.backends.postgresql.psycopg_any.BaseTzLoader): psycopg's pure-Python loader, a
regular expression per value, then the connection's time zone put on the result. It costs
about 5 µs a value, against 0.1 µs for psycopg's C loader: 0.5 ms of an approval queue's 50
rows, every page of bookings, holds and notices.

Django needs its loader only when the connection's time zone is not UTC (a database
TIME_ZONE setting). When it is UTC (USE_TZ on, no TIME_ZONE for the database: this project's
settings), the C loader reads the same value with the same `datetime.timezone.utc`: Django sets
the session's TimeZone to UTC when it connects, and psycopg's loader takes its zone from
there. `use_c_loader` puts a loader that runs the C one in Django's place on each new
connection then, and leaves every other case as Django made it."""

from __future__ import annotations

import datetime as dt
from functools import cache


def use_c_loader(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the C loader for this connection's `timestamptz` values,
    when the connection is psycopg 3's, its time zone UTC, and psycopg has its C module."""
    if connection.vendor != "postgresql" or connection.timezone is not dt.UTC:
        return
    loader = _loader()
    if loader is None:
        return
    raw = connection.connection
    if raw.info.parameter_status("TimeZone") not in ("UTC", "Etc/UTC"):
        return
    raw.adapters.register_loader("timestamptz", loader)


@cache
def _loader():
    try:
        from psycopg import adapt
        from psycopg._cmodule import _psycopg
    except ImportError:  # psycopg 2, or psycopg 3 without its C module
        return None
    if _psycopg is None:
        return None

    class CTimestamptzLoader(adapt.Loader):
        """psycopg's C `timestamptz` text loader, with the `timezone` Django's cursors ask of
        a connection's loader (UTC: they leave it in place). The C type cannot be subclassed:
        each instance's `load` is a C loader's own."""

        timezone = dt.UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self.load = _psycopg.TimestamptzLoader(oid, context).load

        def load(self, data):  # pragma: no cover — replaced on every instance
            raise NotImplementedError

    return CTimestamptzLoader
