"""PostgreSQL's three search vectors of a document row, computed here exactly as the row
trigger of migration 0006 computes them, as `tsvector` text for the server to read back.

Filling an empty index, the catalogue import's second process builds these and the server
only reads the literals (`tsvectorin`) instead of running `to_tsvector` and a PL/pgSQL upsert
per row (search.backends.database.vectors_given; docs/performance.md, "Import speed"). What
the trigger computes:

    title = setweight(to_tsvector('simple', title_tokens), 'A')
    alias = setweight(to_tsvector('simple', pinyin), 'C') || setweight(…initials, 'D')
            || setweight(…codes, 'D')
    body  = setweight(to_tsvector('simple', body_tokens), 'B')

For a stream of space-separated words each made only of the letters a–z or only of the
digits 0–9 (what search.analysis writes), the default parser gives one lexeme per word, the
word itself, at positions 1, 2, 3, … (PostgreSQL 15, src/backend/tsearch: `parsetext`,
`uniqueWORD`, `tsvector_concat`; a position is at most 16,383, a lexeme keeps at most 255 of
them from `to_tsvector` and 256 after `||`). A word mixing letters and digits is not one
lexeme to that parser ("79e3ee61" is "79e3" and "ee61"), nor is anything else: for a stream
with any such word, or any other character, `vectors` answers None and the server computes
that row's vectors itself. tests/test_search_pg_vectors.py holds these to the server's.
"""

from __future__ import annotations

LIMIT = 16383  # MAXENTRYPOS - 1: the largest position; later words all stand there
MAXNUMPOS = 256  # positions a lexeme keeps after ||; to_tsvector keeps one fewer
MAXSTRLEN = 2047  # the parser skips a word this long or longer
_ALLOWED = b" abcdefghijklmnopqrstuvwxyz0123456789"
_CLASSES = bytes.maketrans(_ALLOWED[1:], b"a" * 26 + b"0" * 10)


def lexemes(stream: str | None) -> dict[str, list[int]] | None:
    """`to_tsvector('simple', coalesce(stream, ''))` as {lexeme: positions}, or None when the
    stream is not plain words (the server must parse it)."""
    if not stream:
        return {}
    if not stream.isascii():
        return None
    raw = stream.encode()
    if raw.translate(None, _ALLOWED):
        return None
    classes = raw.translate(_CLASSES)
    if b"a0" in classes or b"0a" in classes:
        return None
    words = stream.split()
    if len(stream) >= MAXSTRLEN and max(map(len, words)) >= MAXSTRLEN:
        return None
    found: dict[str, list[int]] = {}
    get = found.get
    for position, word in enumerate(words, 1):
        seen = get(word)
        if seen is None:
            found[word] = [position]
        else:
            seen.append(position)
    if len(words) >= MAXNUMPOS - 1:
        for word, positions in found.items():
            if len(positions) >= MAXNUMPOS - 1 or positions[-1] >= LIMIT:
                kept = [p for p in positions if p < LIMIT][: MAXNUMPOS - 1]
                if len(kept) < MAXNUMPOS - 1 and positions[-1] >= LIMIT:
                    kept.append(LIMIT)
                found[word] = kept
    return found


def _text(found: dict[str, list[int]], letter: str) -> str:
    """`setweight(…, letter)` of one stream's lexemes, as tsvector's text (weight D has no
    letter)."""
    between = letter + ","
    out = []
    for word in sorted(found):
        positions = found[word]
        if len(positions) == 1:
            out.append(f"'{word}':{positions[0]}{letter}")
        else:
            out.append(f"'{word}':{between.join(map(str, positions))}{letter}")
    return " ".join(out)


def _concatenated(parts: list[tuple[dict[str, list[int]], str]]) -> str:
    """`setweight(a, wa) || setweight(b, wb) || …` as tsvector's text: each operand's
    positions moved past the largest position of what is left of it, a lexeme in both keeping
    the left positions first, at most MAXNUMPOS, none after one at LIMIT."""
    if sum(len(positions) for found, _letter in parts for positions in found.values()) < (
        MAXNUMPOS - 1
    ):
        # fewer words than a lexeme may keep positions: every word keeps its position, so
        # each operand moves past the words before it
        spelled: dict[str, list[str]] = {}
        shift = 0
        for found, letter in parts:
            top = 0
            for word, positions in found.items():
                kept = spelled.get(word)
                if kept is None:
                    kept = spelled[word] = []
                kept.extend([f"{p + shift}{letter}" for p in positions])
                top = max(top, positions[-1])
            shift += top
        return " ".join([f"'{word}':{','.join(spelled[word])}" for word in sorted(spelled)])
    out: dict[str, list[tuple[int, str]]] = {}
    shift = 0
    for found, letter in parts:
        for word, positions in found.items():
            kept = out.get(word)
            if kept is None:
                kept = out[word] = []
            for position in positions:
                if len(kept) >= MAXNUMPOS or (kept and kept[-1][0] == LIMIT):
                    break
                moved = position + shift
                kept.append((moved if moved < LIMIT else LIMIT, letter))
        shift = max([p for kept in out.values() for p, _letter in kept], default=0)
    return " ".join(
        f"'{word}':" + ",".join(f"{p}{letter}" for p, letter in out[word]) for word in sorted(out)
    )


def vectors(row: dict) -> tuple[str, str, str] | None:
    """(title, alias, body) vectors of a SearchDocument row ({attname: value}) as tsvector
    text, or None when the server must compute them."""
    title = lexemes(row.get("title_tokens"))
    body = lexemes(row.get("body_tokens"))
    pinyin = lexemes(row.get("pinyin"))
    initials = lexemes(row.get("initials"))
    codes = lexemes(row.get("codes"))
    if title is None or body is None or pinyin is None or initials is None or codes is None:
        return None
    return (
        _text(title, "A"),
        _concatenated([(pinyin, "C"), (initials, ""), (codes, "")]),
        _text(body, "B"),
    )
