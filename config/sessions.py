"""The database session store, its read compiled once per process (issue 17).

Every request that carries a session cookie (every signed-in page, every form) reads its
session first: one primary-key look-up, which Django's `db` store builds and compiles with the
ORM on each request. Building it cost longer than PostgreSQL took to answer it. This store
reads the same row with the same SQL from a `marketplace.statements.Statement`, compiled once;
everything else (writing, expiring, cycling keys, the table) is Django's `db` store as it is."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends import db
from django.utils import timezone

from marketplace.statements import Statement


def _session_query(session_key: str, now: dt.datetime):
    from django.contrib.sessions.models import Session

    return Session.objects.filter(session_key=session_key, expire_date__gt=now).values_list(
        "session_data"
    )


_SESSION_DATA = Statement(_session_query, str, dt.datetime)


class SessionStore(db.SessionStore):
    def load(self) -> dict:
        """The session's data, as Django's `db` store reads it: {} (and no key) for a session
        that does not exist or has expired, or whose data does not verify."""
        rows = _SESSION_DATA.rows(self.session_key, timezone.now(), using=self._using())
        if not rows:
            self._session_key = None
            return {}
        return self.decode(rows[0][0])

    def _using(self) -> str:
        from django.db import router

        return router.db_for_read(self.model)
