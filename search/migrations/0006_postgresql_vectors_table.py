"""PostgreSQL: the three search vectors move to a narrow table of their own.

Migration 0005 kept `title_vector`, `alias_vector` and `body_vector` in the document row,
next to the excerpt, the token streams and the details (about 1.7 KB of heap per row, 164 MB
for the 100,000-listing catalogue). Collecting the ids of a wide query (检测: 37,573 of
95,007 rows) then visited nearly every heap page of that wide table — a bitmap heap scan over
18,790 pages, or the Seq Scan the planner preferred, which also detoasted every body vector
(docs/performance.md, "Search on PostgreSQL"). The id collection only needs the row's id.

Now `site_search_vectors` holds (id, title_vector, alias_vector, body_vector): the small
vectors stay in the row (STORAGE MAIN), the body vector is toasted, so the heap is a few
hundred bytes a row (about 7,500 pages for the same catalogue) and the GIN indexes live on
it. Triggers on the document table keep it exact: after an insert or a change of a token
column the row's vectors are written (upsert), after a delete they are removed, after a
TRUNCATE (Django's flush) the table is emptied. No foreign key, so a flush that truncates
the document table alone still works.

Existing rows are backfilled from the old columns (no rebuild needed). Reversible: going
back restores 0005's columns, trigger and indexes, backfilled from the token columns. SQLite:
nothing to do.
"""

from django.db import migrations

TABLE = "site_search_searchdocument"
VECTORS = "site_search_vectors"


def _vector(column: str, weight: str) -> str:
    return f"setweight(to_tsvector('simple'::regconfig, coalesce(NEW.{column}, '')), '{weight}')"


TITLE = _vector("title_tokens", "A")
ALIAS = " || ".join(
    [_vector("pinyin", "C"), _vector("initials", "D"), _vector("codes", "D")]
)
BODY = _vector("body_tokens", "B")

# As migration 0005 built them (the reverse restores exactly that)
OLD_VECTORS = {
    "title_vector": TITLE,
    "alias_vector": ALIAS,
    "body_vector": BODY,
}

POSTGRES_UP = [
    f"CREATE TABLE {VECTORS} (id bigint PRIMARY KEY, title_vector tsvector NOT NULL, "
    "alias_vector tsvector NOT NULL, body_vector tsvector NOT NULL)",
    # the small vectors stay in the row: ranking and rechecks never detoast them
    f"ALTER TABLE {VECTORS} ALTER COLUMN title_vector SET STORAGE MAIN, "
    "ALTER COLUMN alias_vector SET STORAGE MAIN",
    f"INSERT INTO {VECTORS} (id, title_vector, alias_vector, body_vector) "
    "SELECT id, coalesce(title_vector, ''::tsvector), coalesce(alias_vector, ''::tsvector), "
    f"coalesce(body_vector, ''::tsvector) FROM {TABLE}",
    f"DROP TRIGGER IF EXISTS site_search_vectors ON {TABLE}",
    "DROP FUNCTION IF EXISTS site_search_vectors()",
    "DROP INDEX IF EXISTS site_search_title_fts",
    "DROP INDEX IF EXISTS site_search_alias_fts",
    "DROP INDEX IF EXISTS site_search_body_fts",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS title_vector, "
    "DROP COLUMN IF EXISTS alias_vector, DROP COLUMN IF EXISTS body_vector",
    "CREATE FUNCTION site_search_vectors_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO {VECTORS} (id, title_vector, alias_vector, body_vector) "
    f"VALUES (NEW.id, {TITLE}, {ALIAS}, {BODY}) "
    "ON CONFLICT (id) DO UPDATE SET title_vector = EXCLUDED.title_vector, "
    "alias_vector = EXCLUDED.alias_vector, body_vector = EXCLUDED.body_vector; "
    "RETURN NULL; END $$",
    "CREATE FUNCTION site_search_vectors_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"DELETE FROM {VECTORS} WHERE id = OLD.id; RETURN NULL; END $$",
    "CREATE FUNCTION site_search_vectors_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN TRUNCATE {VECTORS}; RETURN NULL; END $$",
    "CREATE TRIGGER site_search_vectors_write AFTER INSERT OR UPDATE OF "
    f"title_tokens, body_tokens, pinyin, initials, codes ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION site_search_vectors_write()",
    f"CREATE TRIGGER site_search_vectors_delete AFTER DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION site_search_vectors_delete()",
    f"CREATE TRIGGER site_search_vectors_truncate AFTER TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION site_search_vectors_truncate()",
    f"CREATE INDEX site_search_vectors_title ON {VECTORS} USING gin (title_vector)",
    f"CREATE INDEX site_search_vectors_alias ON {VECTORS} USING gin (alias_vector)",
    f"CREATE INDEX site_search_vectors_body ON {VECTORS} USING gin (body_vector)",
    f"ANALYZE {VECTORS}",
]

POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS site_search_vectors_write ON {TABLE}",
    f"DROP TRIGGER IF EXISTS site_search_vectors_delete ON {TABLE}",
    f"DROP TRIGGER IF EXISTS site_search_vectors_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS site_search_vectors_write()",
    "DROP FUNCTION IF EXISTS site_search_vectors_delete()",
    "DROP FUNCTION IF EXISTS site_search_vectors_truncate()",
    f"DROP TABLE IF EXISTS {VECTORS}",
    f"ALTER TABLE {TABLE} ADD COLUMN title_vector tsvector, ADD COLUMN alias_vector tsvector, "
    "ADD COLUMN body_vector tsvector",
    f"ALTER TABLE {TABLE} ALTER COLUMN title_vector SET STORAGE MAIN, "
    "ALTER COLUMN alias_vector SET STORAGE MAIN",
    f"UPDATE {TABLE} SET "
    + ", ".join(f"{column} = {value.replace('NEW.', '')}" for column, value in OLD_VECTORS.items()),
    "CREATE FUNCTION site_search_vectors() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + " ".join(f"NEW.{column} := {value};" for column, value in OLD_VECTORS.items())
    + " RETURN NEW; END $$",
    "CREATE TRIGGER site_search_vectors BEFORE INSERT OR UPDATE OF "
    f"title_tokens, body_tokens, pinyin, initials, codes ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION site_search_vectors()",
    f"CREATE INDEX site_search_title_fts ON {TABLE} USING gin (title_vector)",
    f"CREATE INDEX site_search_alias_fts ON {TABLE} USING gin (alias_vector)",
    f"CREATE INDEX site_search_body_fts ON {TABLE} USING gin (body_vector)",
    f"ANALYZE {TABLE}",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("site_search", "0005_postgresql_split_vectors")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
