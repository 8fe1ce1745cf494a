"""PostgreSQL: one stored tsvector per kind of stream instead of one for all of them.

The single `search_vector` mixed the title (weight A), the body (B), the pinyin (C) and the
initials and codes (D). GIN keeps neither positions nor weights, so every phrase and every
weight-restricted lexeme made PostgreSQL recheck the row's whole vector — with bodies of up to
20,000 tokens in it, a detoast of a large value per candidate row (docs/performance.md,
"Search on PostgreSQL"). Now:

- `title_vector`: the title's tokens (weight A), small and kept in the row (STORAGE MAIN);
- `alias_vector`: the pinyin (C), the initials and the codes (D), small, in the row;
- `body_vector`: the body (weight B), the only large one;

each under its own GIN index, kept by one trigger. A field restriction is now a choice of
column, a one-token term in the title or the body needs no recheck, and ranking reads the
small vectors (search.backends.database). The weights stay the letters they were, so ts_rank
takes the same weight array.

Existing rows are backfilled by this migration (no rebuild needed). Reversible: going back
restores the single `search_vector`, backfilled the same way. SQLite: nothing to do.
"""

from django.db import migrations

TABLE = "site_search_searchdocument"


def _vector(column: str, weight: str, row: str = "") -> str:
    return f"setweight(to_tsvector('simple'::regconfig, coalesce({row}{column}, '')), '{weight}')"


def _vectors(row: str = "") -> dict[str, str]:
    return {
        "title_vector": _vector("title_tokens", "A", row),
        "alias_vector": " || ".join(
            [
                _vector("pinyin", "C", row),
                _vector("initials", "D", row),
                _vector("codes", "D", row),
            ]
        ),
        "body_vector": _vector("body_tokens", "B", row),
    }


OLD_VECTOR = " || ".join(
    [
        _vector("title_tokens", "A", "NEW."),
        _vector("body_tokens", "B", "NEW."),
        _vector("pinyin", "C", "NEW."),
        _vector("initials", "D", "NEW."),
        _vector("codes", "D", "NEW."),
    ]
)

POSTGRES_UP = [
    "DROP INDEX IF EXISTS site_search_document_fts",
    f"DROP TRIGGER IF EXISTS site_search_vector ON {TABLE}",
    "DROP FUNCTION IF EXISTS site_search_vector()",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_vector",
    f"ALTER TABLE {TABLE} ADD COLUMN title_vector tsvector, ADD COLUMN alias_vector tsvector, "
    "ADD COLUMN body_vector tsvector",
    # the small vectors stay in the row: a recheck or a ts_rank never detoasts them
    f"ALTER TABLE {TABLE} ALTER COLUMN title_vector SET STORAGE MAIN, "
    "ALTER COLUMN alias_vector SET STORAGE MAIN",
    # backfill the rows already indexed
    f"UPDATE {TABLE} SET "
    + ", ".join(f"{column} = {value}" for column, value in _vectors().items()),
    "CREATE FUNCTION site_search_vectors() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    + " ".join(f"NEW.{column} := {value};" for column, value in _vectors("NEW.").items())
    + " RETURN NEW; END $$",
    "CREATE TRIGGER site_search_vectors BEFORE INSERT OR UPDATE OF "
    f"title_tokens, body_tokens, pinyin, initials, codes ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION site_search_vectors()",
    f"CREATE INDEX site_search_title_fts ON {TABLE} USING gin (title_vector)",
    f"CREATE INDEX site_search_alias_fts ON {TABLE} USING gin (alias_vector)",
    f"CREATE INDEX site_search_body_fts ON {TABLE} USING gin (body_vector)",
    f"ANALYZE {TABLE}",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS site_search_title_fts",
    "DROP INDEX IF EXISTS site_search_alias_fts",
    "DROP INDEX IF EXISTS site_search_body_fts",
    f"DROP TRIGGER IF EXISTS site_search_vectors ON {TABLE}",
    "DROP FUNCTION IF EXISTS site_search_vectors()",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS title_vector, "
    "DROP COLUMN IF EXISTS alias_vector, DROP COLUMN IF EXISTS body_vector",
    f"ALTER TABLE {TABLE} ADD COLUMN search_vector tsvector",
    f"UPDATE {TABLE} SET search_vector = " + OLD_VECTOR.replace("NEW.", ""),
    "CREATE FUNCTION site_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"NEW.search_vector := {OLD_VECTOR}; RETURN NEW; END $$",
    f"CREATE TRIGGER site_search_vector BEFORE INSERT OR UPDATE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION site_search_vector()",
    f"CREATE INDEX site_search_document_fts ON {TABLE} USING gin (search_vector)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("site_search", "0004_bigram_full_text")]

    operations = [migrations.RunPython(_run(POSTGRES_UP), _run(POSTGRES_DOWN))]
