"""Full-text structures of the embedded engine: FTS5 on SQLite, a GIN index on PostgreSQL."""

from django.db import migrations

SQLITE_UP = [
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
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS site_search_fts_au",
    "DROP TRIGGER IF EXISTS site_search_fts_ad",
    "DROP TRIGGER IF EXISTS site_search_fts_ai",
    "DROP TABLE IF EXISTS site_search_fts",
]
POSTGRES_UP = [
    "CREATE INDEX site_search_document_fts ON site_search_searchdocument USING gin (("
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_tokens), 'B') || "
    "setweight(to_tsvector('simple'::regconfig, pinyin), 'C') || "
    "setweight(to_tsvector('simple'::regconfig, initials), 'D')))"
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS site_search_document_fts"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("site_search", "0001_search_index")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
