"""Chinese text analysis, done once in the application and shared by both engines.

Both engines index the same token streams and receive the same parsed queries, so neither
needs a Chinese analyzer of its own (the bare Elasticsearch in CI has only core analyzers):

- Index side: text is NFKC-normalised and lowercased; every CJK character is one token, ASCII
  letters and digits form words split at letter/digit boundaries ("SU8220" → su 8220).
  Titles also get a pinyin stream (one toneless syllable per character) and an initials
  stream (one letter per character). Engines only split these streams on whitespace.
- Query side: jieba with the domain dictionary segments the query into terms; each term is
  matched as a *phrase* of index tokens (adjacent characters), never as a bag of sub-tokens,
  so 二氧化碳培养箱 needs 二氧化碳 and 培养箱 as written, and a one-character query works.
  Each term expands to its synonyms (data file editable by operators) and, for Latin
  letters, to the pinyin syllables or initials it may spell.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DICTIONARY_FILE = DATA_DIR / "dictionary.txt"
SYNONYMS_FILE = DATA_DIR / "synonyms.txt"
SYLLABLES_FILE = DATA_DIR / "pinyin_syllables.txt"

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
MAX_ALTERNATIVES = 8

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[a-z]+|[0-9]+")
_CJK_RE = re.compile(rf"[{_CJK}]")


def normalize(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, lowercase."""
    return unicodedata.normalize("NFKC", text or "").lower()


def tokens(text: str) -> list[str]:
    """The index token stream of a text (see the module docstring)."""
    return _TOKEN_RE.findall(normalize(text))


def is_cjk(token: str) -> bool:
    return bool(_CJK_RE.fullmatch(token))


# --- pinyin -------------------------------------------------------------------------------


def pinyin_tokens(text: str) -> tuple[list[str], list[str]]:
    """(syllables, initials) for the CJK characters of a name; other characters are skipped."""
    from pypinyin import lazy_pinyin

    chars = [token for token in tokens(text) if is_cjk(token)]
    if not chars:
        return [], []
    syllables = [s.replace("ü", "v") for s in lazy_pinyin(chars, errors="ignore")]
    initials = [s[0] for s in syllables if s]
    return syllables, initials


@cache
def _syllables() -> frozenset[str]:
    lines = SYLLABLES_FILE.read_text(encoding="utf-8").splitlines()
    # Interjections such as 呣 (m) and 嗯 (ng) would let English letters pass for pinyin.
    odd = {"m", "n", "ng", "hm", "hng"}
    return frozenset(
        line.strip()
        for line in lines
        if line.strip() and not line.startswith("#") and line.strip() not in odd
    )


def split_pinyin(word: str) -> list[str] | None:
    """Split toneless pinyin typed without spaces ("dianjing" → dian jing); None if it is not."""
    syllables = _syllables()
    longest = 6

    @cache
    def split(start: int) -> tuple[str, ...] | None:
        if start == len(word):
            return ()
        for end in range(min(len(word), start + longest), start, -1):
            if word[start:end] in syllables:
                rest = split(end)
                if rest is not None:
                    return (word[start:end], *rest)
        return None

    if not word.isascii() or not word.isalpha():
        return None
    result = split(0)
    return list(result) if result else None


# --- dictionary and synonyms ----------------------------------------------------------------

_jieba_lock = threading.Lock()


@cache
def _tokenizer():
    import jieba

    tokenizer = jieba.Tokenizer()
    with _jieba_lock:
        tokenizer.initialize()
        for line in DICTIONARY_FILE.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts and not line.startswith("#"):
                frequency = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                tokenizer.add_word(normalize(parts[0]), freq=frequency)
    return tokenizer


_JOINERS = {"-", ".", "/", "_"}


def segment(text: str) -> list[str]:
    """jieba (precise mode, domain dictionary) over normalised text, separators dropped;
    Latin words joined by - . / _ stay one word (LC-MS, V2.0)."""
    pieces = list(_tokenizer().cut(normalize(text), HMM=False))
    words: list[str] = []
    joined = False
    for index, piece in enumerate(pieces):
        if (
            piece in _JOINERS
            and words
            and words[-1][-1:].isascii()
            and words[-1][-1:].isalnum()
            and index + 1 < len(pieces)
            and pieces[index + 1][:1].isascii()
            and pieces[index + 1][:1].isalnum()
        ):
            words[-1] += piece
            joined = True
            continue
        piece = piece.strip()
        if piece and tokens(piece):
            if joined:
                words[-1] += piece
            else:
                words.append(piece)
        joined = False
    return words


@cache
def synonym_groups() -> dict[str, frozenset[str]]:
    """term → every term of every group it belongs to (itself included), normalised."""
    groups: dict[str, set[str]] = {}
    for line in SYNONYMS_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        terms = {normalize(term.strip()) for term in line.split(",") if term.strip()}
        for term in terms:
            groups.setdefault(term, set()).update(terms)
    return {term: frozenset(members) for term, members in groups.items()}


def _key(term: str) -> str:
    """Synonym lookup key: the term's tokens joined, so "LC-MS", "lc ms" and "lcms"-like
    spellings of the same token sequence meet."""
    return " ".join(tokens(term))


@cache
def _synonym_index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for term, members in synonym_groups().items():
        index.setdefault(_key(term), set()).update(members)
    return {key: frozenset(members) for key, members in index.items() if key}


def synonyms(term: str) -> list[str]:
    """Other spellings of a term: whole-term synonyms, then synonyms of a CJK part of it."""
    index = _synonym_index()
    key = _key(term)
    found = [member for member in sorted(index.get(key, ())) if _key(member) != key]
    if not found and any(is_cjk(token) for token in key.split()):
        compact = key.replace(" ", "")
        for part in sorted(index, key=len, reverse=True):
            part_compact = part.replace(" ", "")
            if len(part_compact) >= 2 and part_compact != compact and part_compact in compact:
                for member in sorted(index[part]):
                    replaced = compact.replace(part_compact, _key(member).replace(" ", ""))
                    if replaced != compact:
                        found.append(replaced)
                break
    return found


# --- queries --------------------------------------------------------------------------------

TITLE, BODY, PINYIN, INITIALS = "title", "body", "pinyin", "initials"


@dataclass(frozen=True)
class Phrase:
    """Adjacent tokens to find in one or more fields; `prefix` makes the last token a prefix."""

    tokens: tuple[str, ...]
    fields: tuple[str, ...] = (TITLE, BODY)
    prefix: bool = False


@dataclass
class Term:
    """One segmented query term: a document matches it if any alternative phrase matches."""

    text: str
    alternatives: list[Phrase] = field(default_factory=list)


@dataclass
class ParsedQuery:
    text: str
    terms: list[Term]

    @property
    def empty(self) -> bool:
        return not self.terms

    def highlight_phrases(self) -> list[tuple[str, ...]]:
        return [
            phrase.tokens
            for term in self.terms
            for phrase in term.alternatives
            if TITLE in phrase.fields
        ]


def _merge_single_characters(words: list[str]) -> list[str]:
    """A lone CJK character jieba left over joins its CJK neighbour: 高|分辨 → 高分辨."""
    merged: list[str] = []
    for word in words:
        cjk_word = all(is_cjk(token) for token in tokens(word))
        if (
            merged
            and cjk_word
            and all(is_cjk(token) for token in tokens(merged[-1]))
            and (len(word) == 1 or len(merged[-1]) == 1)
        ):
            merged[-1] += word
        else:
            merged.append(word)
    return merged


def _term(word: str) -> Term | None:
    word_tokens = tuple(tokens(word))
    if not word_tokens:
        return None
    alternatives = [Phrase(word_tokens)]
    for synonym in synonyms(word):
        synonym_tokens = tuple(tokens(synonym))
        if synonym_tokens and Phrase(synonym_tokens) not in alternatives:
            alternatives.append(Phrase(synonym_tokens))
    if len(word_tokens) == 1 and word.isascii() and word.isalpha() and len(word) >= 2:
        syllables = split_pinyin(word)
        if syllables:
            alternatives.append(Phrase(tuple(syllables), fields=(PINYIN,)))
        if len(word) <= 8:
            alternatives.append(Phrase(tuple(word), fields=(INITIALS,)))
    return Term(word, alternatives[:MAX_ALTERNATIVES])


def parse_query(text: str) -> ParsedQuery:
    """The terms of a query; punctuation-only or empty text gives no terms."""
    text = (text or "")[:MAX_QUERY_CHARS]
    words = _merge_single_characters(segment(text))
    # ASCII words that jieba split at digits or hyphens stay one term per word
    terms = [term for term in (_term(word) for word in words) if term][:MAX_TERMS]
    return ParsedQuery(text.strip(), terms)


def relaxed_query(parsed: ParsedQuery) -> ParsedQuery:
    """A forgiving version for when the exact query finds nothing (one-character typos, one
    term too many): any term may match, CJK terms also by their two-character pieces, long
    Latin words also by their first four letters."""
    terms: list[Term] = []
    for term in parsed.terms:
        alternatives = list(term.alternatives)
        first = term.alternatives[0].tokens
        if len(first) >= 3 and all(is_cjk(token) for token in first):
            for start in range(len(first) - 1):
                alternatives.append(Phrase(first[start : start + 2]))
        elif len(first) == 1 and first[0].isalpha() and len(first[0]) >= 5:
            alternatives.append(Phrase((first[0][:4],), prefix=True))
        terms.append(Term(term.text, alternatives))
    return ParsedQuery(parsed.text, terms)


# --- highlighting ---------------------------------------------------------------------------


def _phrase_pattern(phrase: tuple[str, ...]) -> str:
    parts = []
    for token in phrase:
        if is_cjk(token):
            parts.append(re.escape(token))
        else:
            parts.append(rf"(?<![a-z]){re.escape(token)}" if token.isalpha() else re.escape(token))
    return r"[\s\-_./·]*".join(parts)


def highlight(text: str, phrases: list[tuple[str, ...]], width: int = 90) -> str:
    """An HTML-safe snippet of `text` around the first match, matches wrapped in <mark>."""
    from django.utils.html import escape

    text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    if not text:
        return ""
    patterns = sorted({_phrase_pattern(p) for p in phrases if p}, key=len, reverse=True)
    if not patterns:
        return escape(text[:width]) + ("…" if len(text) > width else "")
    regex = re.compile("|".join(patterns), re.IGNORECASE)
    first = regex.search(text)
    start = max(0, first.start() - width // 3) if first else 0
    end = min(len(text), start + width)
    window = text[start:end]
    out, last = [], 0
    for match in regex.finditer(window):
        if match.end() == match.start():
            continue
        out.append(escape(window[last : match.start()]))
        out.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    out.append(escape(window[last:]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")
