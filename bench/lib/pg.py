"""PostgreSQL helpers shared by the bench scripts."""

from __future__ import annotations


def drop_database(admin, name: str) -> None:
    """Drop the bench's temporary database `name` through `admin` (an autocommit psycopg
    connection to another database of the server).

    `WITH (FORCE)` ends the sessions left on it, but a role that is not a superuser may not
    end an autovacuum worker's — after a 100,000-listing import one is usually at work there,
    and the drop failed with InsufficientPrivilege, leaving the database behind. A plain DROP
    cancels autovacuum itself and waits for it, so that is the second try."""
    import psycopg
    from psycopg import sql

    name_sql = sql.Identifier(name)
    try:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name_sql))
    except psycopg.errors.InsufficientPrivilege:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(name_sql))
