"""Full-text structures for bigram token streams with a codes stream.

The token format changed (CJK bigrams, a codes column), so the derived index is emptied:
run `manage.py rebuild_search_index` after this migration.

SQLite: the FTS5 table gains a `codes` column (recreated with its triggers).
PostgreSQL: the tsvector is stored in a column kept by a trigger (ranking reads it instead of
re-parsing every matching row's text), codes share weight D with the initials.
"""

from django.db import migrations

COLUMNS = "title_tokens, body_tokens, pinyin, initials, codes"
NEW = ", ".join(f"new.{c.strip()}" for c in COLUMNS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in COLUMNS.split(","))

SQLITE_UP = [
    "DELETE FROM site_search_searchdocument",
    "DROP TRIGGER IF EXISTS site_search_fts_au",
    "DROP TRIGGER IF EXISTS site_search_fts_ad",
    "DROP TRIGGER IF EXISTS site_search_fts_ai",
    "DROP TABLE IF EXISTS site_search_fts",
    f"CREATE VIRTUAL TABLE site_search_fts USING fts5({COLUMNS}, "
    "content='site_search_searchdocument', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER site_search_fts_ai AFTER INSERT ON site_search_searchdocument BEGIN "
    f"INSERT INTO site_search_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END",
    "CREATE TRIGGER site_search_fts_ad AFTER DELETE ON site_search_searchdocument BEGIN "
    f"INSERT INTO site_search_fts(site_search_fts, rowid, {COLUMNS}) "
    f"VALUES ('delete', old.id, {OLD}); END",
    "CREATE TRIGGER site_search_fts_au AFTER UPDATE ON site_search_searchdocument BEGIN "
    f"INSERT INTO site_search_fts(site_search_fts, rowid, {COLUMNS}) "
    f"VALUES ('delete', old.id, {OLD}); "
    f"INSERT INTO site_search_fts(rowid, {COLUMNS}) VALUES (new.id, {NEW}); END",
]
SQLITE_DOWN = [
    "DELETE FROM site_search_searchdocument",
    "DROP TRIGGER IF EXISTS site_search_fts_au",
    "DROP TRIGGER IF EXISTS site_search_fts_ad",
    "DROP TRIGGER IF EXISTS site_search_fts_ai",
    "DROP TABLE IF EXISTS site_search_fts",
    "CREATE VIRTUAL TABLE site_search_fts USING fts5("
    "title_tokens, body_tokens, pinyin, initials, "
    "content='site_search_searchdocument', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER site_search_fts_ai AFTER INSERT ON site_search_searchdocument BEGIN "
    "INSERT INTO site_search_fts(rowid, title_tokens, body_tokens, pinyin, initials) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.pinyin, new.initials); END",
    "CREATE TRIGGER site_search_fts_ad AFTER DELETE ON site_search_searchdocument BEGIN "
    "INSERT INTO site_search_fts(site_search_fts, rowid, title_tokens, body_tokens, pinyin, "
    "initials) VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.pinyin, "
    "old.initials); END",
    "CREATE TRIGGER site_search_fts_au AFTER UPDATE ON site_search_searchdocument BEGIN "
    "INSERT INTO site_search_fts(site_search_fts, rowid, title_tokens, body_tokens, pinyin, "
    "initials) VALUES ('delete', old.id, old.title_tokens, old.body_tokens, old.pinyin, "
    "old.initials); "
    "INSERT INTO site_search_fts(rowid, title_tokens, body_tokens, pinyin, initials) "
    "VALUES (new.id, new.title_tokens, new.body_tokens, new.pinyin, new.initials); END",
]
POSTGRES_UP = [
    "DELETE FROM site_search_searchdocument",
    "DROP INDEX IF EXISTS site_search_document_fts",
    "ALTER TABLE site_search_searchdocument ADD COLUMN search_vector tsvector",
    "CREATE FUNCTION site_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "NEW.search_vector := "
    "setweight(to_tsvector('simple'::regconfig, NEW.title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, NEW.body_tokens), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, NEW.pinyin), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, NEW.initials), 'D') || "
    "setweight(to_tsvector('simple'::regconfig, NEW.codes), 'D'); "
    "RETURN NEW; END $$",
    "CREATE TRIGGER site_search_vector BEFORE INSERT OR UPDATE ON site_search_searchdocument "
    "FOR EACH ROW EXECUTE FUNCTION site_search_vector()",
    "CREATE INDEX site_search_document_fts ON site_search_searchdocument "
    "USING gin (search_vector)",
]
POSTGRES_DOWN = [
    "DELETE FROM site_search_searchdocument",
    "DROP INDEX IF EXISTS site_search_document_fts",
    "DROP TRIGGER IF EXISTS site_search_vector ON site_search_searchdocument",
    "DROP FUNCTION IF EXISTS site_search_vector()",
    "ALTER TABLE site_search_searchdocument DROP COLUMN IF EXISTS search_vector",
    "CREATE INDEX site_search_document_fts ON site_search_searchdocument USING gin (("
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_tokens), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, pinyin), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, initials), 'D')))",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("site_search", "0003_codes_details_stamp")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
