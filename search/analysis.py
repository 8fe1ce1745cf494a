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
- English: words of four letters or more are reduced by a light stemmer on both sides
  (microscopes → microscope, technologies → technology), and consecutive English words that
  spell an entry of the bilingual vocabulary (vocabulary.txt: "mass spectrometer" = 质谱仪)
  become one term that also finds the Chinese spellings.
- Codes: instrument codes, model numbers and patent numbers get a stream of their own; a
  query term with digits matches it by phrase with the last token as a prefix, so TEM-01,
  TEM01 and "tem 01" all find YLU-TEM-01 and ZL2021 finds ZL202119201458.0.
- Full pinyin typed without spaces is also read back into the Chinese words of the
  dictionary it spells (dianjing → 电镜), which then expand to their synonyms like any
  Chinese term.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from operator import add
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
DICTIONARY_FILE = DATA_DIR / "dictionary.txt"
SYNONYMS_FILE = DATA_DIR / "synonyms.txt"
SYLLABLES_FILE = DATA_DIR / "pinyin_syllables.txt"
VOCABULARY_FILE = DATA_DIR / "vocabulary.txt"

MAX_QUERY_CHARS = 200
# Put between two codes or two names in one stream so that no phrase runs from one into the
# next; spelled so that no query produces it (db_token spells CJK with the letters a–p).
SEPARATOR = "zqzz"
MAX_TERMS = 12
MAX_ALTERNATIVES = 12
# Longest run of English words looked up as one vocabulary entry ("field emission scanning …").
MAX_PHRASE_WORDS = 6

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_RE = re.compile(rf"[{_CJK}]|[a-z]+|[0-9]+")
_CJK_RE = re.compile(rf"[{_CJK}]")


def normalize(text: str) -> str:
    """Full-width to half-width, compatibility forms folded, lowercase."""
    return unicodedata.normalize("NFKC", text or "").lower()


def stem(word: str) -> str:
    """Light English stemming for plurals, the same on the index and the query side:
    microscopes → microscope, technologies → technology, analyses stays apart from analysis
    (words ending in -ss, -us, -is are left alone), words under four letters are untouched."""
    if len(word) < 4 or not word.isalpha() or not word.endswith("s"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


# stem, remembered: asked for every token of every indexed text (a bulk import's hottest
# call after the tokenizer itself), of a small vocabulary.
_stem = lru_cache(maxsize=1 << 16)(stem)


def tokens(text: str) -> list[str]:
    """The index token stream of a text (see the module docstring)."""
    return list(map(_stem, _TOKEN_RE.findall(normalize(text))))


@lru_cache(maxsize=1 << 16)
def is_cjk(token: str) -> bool:
    """Remembered: asked for every token of every indexed text (1.6 million times for
    10,000 listings), of a vocabulary of a few thousand characters."""
    return bool(_CJK_RE.fullmatch(token))


def is_cjk_gram(token: str) -> bool:
    """A CJK character or bigram as index_tokens produces them."""
    return bool(token) and all(_CJK_RE.fullmatch(char) for char in token)


def index_tokens(text_tokens: list[str] | tuple[str, ...]) -> list[str]:
    """What the engines index for a token stream: every run of CJK characters becomes its
    overlapping bigrams followed by its last character (电子显微镜 → 电子 子显 显微 微镜 镜),
    other tokens stay. A phrase of two or more characters is then a phrase of bigrams, whose
    posting lists are short (电镜 is one lookup, not two long lists intersected by position),
    and every character still begins a token, so a single character is a prefix query."""
    out: list[str] = []
    run: list[str] = []
    # the bigrams of a run by one map in C (a loop with a function call per token was the
    # costliest part of building an index row: docs/performance.md, "Import speed")
    for token in text_tokens:
        if len(token) == 1 and is_cjk(token):
            run.append(token)
            continue
        if run:
            out.extend(map(add, run, run[1:]))
            out.append(run[-1])
            run = []
        out.append(token)
    if run:
        out.extend(map(add, run, run[1:]))
        out.append(run[-1])
    return out


def query_tokens(phrase_tokens: tuple[str, ...], prefix: bool = False) -> tuple[list[str], bool]:
    """The index tokens to look for as a phrase, and whether the last one is a prefix: as
    index_tokens, but a phrase ending in a CJK run does not need the run's last character
    as a token of its own (质谱 matches 质谱仪), and a phrase ending in a lone CJK character
    looks for it as the start of a token (茶 finds 茶叶 and 普洱茶)."""
    grams = index_tokens(phrase_tokens)
    if phrase_tokens and is_cjk(phrase_tokens[-1]):
        if len(phrase_tokens) >= 2 and is_cjk(phrase_tokens[-2]):
            grams = grams[:-1]
        else:
            prefix = True
    return grams, prefix


# --- pinyin -------------------------------------------------------------------------------


def pinyin_tokens(text: str) -> tuple[list[str], list[str]]:
    """(syllables, initials) for the CJK characters of a name; other characters are skipped."""
    chars = [token for token in tokens(text) if is_cjk(token)]
    if not chars:
        return [], []
    syllables = [s for s in map(_char_pinyin, chars) if s]
    initials = [s[0] for s in syllables]
    return syllables, initials


@lru_cache(maxsize=1 << 16)
def _char_pinyin(char: str) -> str:
    """One character's toneless pinyin ("" if it has none). The characters are converted one
    by one (a list of single characters gives pypinyin no phrases to look up), so remembering
    each is exact, and it spares a bulk import most of pypinyin's work."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin([char], errors="ignore")).replace("ü", "v")


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


@cache
def vocabulary() -> dict[str, tuple[str, ...]]:
    """English key (stemmed tokens joined by spaces) → its Chinese spellings, then the other
    English spellings of the same line; and each Chinese spelling's key → the line's first
    English spelling (so a Chinese query also finds an English name)."""
    found: dict[str, list[str]] = {}
    for line in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        left, _sep, right = line.partition("=")
        english = [term.strip() for term in left.split(",") if term.strip()]
        chinese = [term.strip() for term in right.split(",") if term.strip()]
        for term in english:
            members = found.setdefault(_key(term), [])
            for other in [*chinese, *english]:
                if _key(other) != _key(term) and other not in members:
                    members.append(other)
        if english:
            for term in chinese:
                members = found.setdefault(_key(term), [])
                if english[0] not in members:
                    members.append(english[0])
    return {key: tuple(members) for key, members in found.items() if key}


@cache
def _pinyin_words() -> dict[str, tuple[str, ...]]:
    """Toneless pinyin spelling → the Chinese words of the dictionary, synonym table and
    vocabulary it spells (dianjing → 电镜), for reading a full-pinyin query back."""
    from pypinyin import lazy_pinyin

    words: set[str] = set()
    for line in DICTIONARY_FILE.read_text(encoding="utf-8").splitlines():
        if line.split() and not line.startswith("#"):
            words.add(normalize(line.split()[0]))
    words.update(synonym_groups())
    for line in VOCABULARY_FILE.read_text(encoding="utf-8").splitlines():
        if "=" in line and not line.startswith("#"):
            words.update(normalize(t.strip()) for t in line.partition("=")[2].split(","))
    spelled: dict[str, set[str]] = {}
    for word in words:
        if len(word) >= 2 and all(is_cjk(token) for token in tokens(word)):
            key = "".join(lazy_pinyin(word)).replace("ü", "v")
            spelled.setdefault(key, set()).add(word)
    return {key: tuple(sorted(members)) for key, members in spelled.items()}


def pinyin_words(word: str) -> tuple[str, ...]:
    """The dictionary's Chinese words spelled by this full pinyin, e.g. zhipu → 质谱."""
    return _pinyin_words().get(word.lower(), ())


# --- queries --------------------------------------------------------------------------------

TITLE, BODY, PINYIN, INITIALS, CODES = "title", "body", "pinyin", "initials", "codes"


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


def is_code_like(word_tokens: tuple[str, ...]) -> bool:
    """A term that may be (the start of) a code, model or patent number: Latin letters and
    digits only, with at least one digit (TEM-01, su8220, ZL2021, 7900)."""
    return (
        bool(word_tokens)
        and all(token.isascii() for token in word_tokens)
        and any(token.isdigit() for token in word_tokens)
    )


def _add(alternatives: list[Phrase], phrase: Phrase) -> None:
    if phrase.tokens and phrase not in alternatives:
        alternatives.append(phrase)


def _term(word: str) -> Term | None:
    word_tokens = tuple(tokens(word))
    if not word_tokens:
        return None
    alternatives = [Phrase(word_tokens)]
    ascii_word = all(token.isascii() for token in word_tokens)
    if ascii_word and not all(len(t) == 1 and t.isalpha() for t in word_tokens):
        # codes, models and patent numbers: exactly, or as the start of one when typed
        # with digits (separators do not matter: the tokens are the same). Lone letters
        # are no code, and on PostgreSQL they would meet the initials (same weight, D).
        _add(alternatives, Phrase(word_tokens, fields=(CODES,), prefix=is_code_like(word_tokens)))
    for synonym in synonyms(word):
        _add(alternatives, Phrase(tuple(tokens(synonym))))
    for translation in vocabulary().get(" ".join(word_tokens), ()):
        _add(alternatives, Phrase(tuple(tokens(translation))))
    compact = word.replace(" ", "")
    if len(word_tokens) == 1 and compact.isascii() and compact.isalpha() and len(compact) >= 2:
        syllables = split_pinyin(compact)
        if syllables:
            alternatives.append(Phrase(tuple(syllables), fields=(PINYIN,)))
            # full pinyin also reads back into Chinese words, which bring their synonyms
            for chinese in pinyin_words(compact):
                _add(alternatives, Phrase(tuple(tokens(chinese))))
                for synonym in synonyms(chinese):
                    _add(alternatives, Phrase(tuple(tokens(synonym))))
        # initials, unless the letters spell two or more full syllables (dianjing is
        # 电镜, not d-i-a-n-j-i-n-g: eight one-letter initials match a third of the titles
        # and made PostgreSQL recheck thousands of rows, docs/performance.md)
        if len(compact) <= 8 and not (syllables and len(syllables) >= 2):
            alternatives.append(Phrase(tuple(compact), fields=(INITIALS,)))
    return Term(word, alternatives[:MAX_ALTERNATIVES])


def _join_phrases(words: list[str]) -> list[str]:
    """Consecutive Latin words that spell a vocabulary entry ("mass spectrometer") or a code
    typed with spaces ("tem 01") become one word, longest first."""
    vocabulary_keys = vocabulary()
    synonym_keys = _synonym_index()
    out: list[str] = []
    index = 0
    while index < len(words):
        joined = None
        if words[index].isascii():
            for length in range(min(MAX_PHRASE_WORDS, len(words) - index), 1, -1):
                run = words[index : index + length]
                if not all(word.isascii() for word in run):
                    continue
                key = " ".join(token for word in run for token in tokens(word))
                code = (
                    length == 2
                    and run[0].isalpha()
                    and len(run[0]) <= 6
                    and run[1].isdigit()
                    and len(run[1]) <= 4
                )
                if key in vocabulary_keys or key in synonym_keys or code:
                    joined = " ".join(run)
                    index += length
                    break
        if joined is None:
            joined = words[index]
            index += 1
        out.append(joined)
    return out


def parse_query(text: str) -> ParsedQuery:
    """The terms of a query; punctuation-only or empty text gives no terms."""
    text = (text or "")[:MAX_QUERY_CHARS]
    words = _join_phrases(_merge_single_characters(segment(text)))
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


def relaxing_helps(parsed: ParsedQuery, relaxed: ParsedQuery) -> bool:
    """Whether the forgiving query can find what the exact one did not: not when it has one
    term and no alternative was added (smdj, a code): "any term" of one term is that term,
    and the retry would only run the same statements again."""
    return len(parsed.terms) > 1 or relaxed.terms != parsed.terms


# --- highlighting ---------------------------------------------------------------------------


def _token_pattern(token: str) -> str:
    if is_cjk(token):
        return re.escape(token)
    if token.isalpha():
        # the token may be a stem: microscope also marks microscopes, technology technologies
        body = re.escape(token)
        if token.endswith("y") and len(token) >= 4:
            body = re.escape(token[:-1]) + "(?:y|ies)"
        return rf"(?<![a-z]){body}(?:e?s)?(?![a-z])" if len(token) >= 4 else rf"(?<![a-z]){body}"
    return re.escape(token)


def _phrase_pattern(phrase: tuple[str, ...]) -> str:
    return r"[\s\-_./·]*".join(_token_pattern(token) for token in phrase)


# Full-width ASCII and the ideographic space folded for matching only: one character for one,
# so match offsets are offsets in the original text, which keeps its own punctuation (，、（）).
_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# The same folding as a substitution of just those characters: str.translate with this table
# looks every character up (and misses on nearly all of them), 0.1 ms for a 200-character
# snippet text; a Chinese text has a few full-width commas and brackets, found by one regex.
_FOLDABLE = re.compile("[\uff01-\uff5e\u3000]")
_FOLDED = {chr(code): chr(folded) for code, folded in _FOLD.items()}


def _fold(text: str) -> str:
    return _FOLDABLE.sub(lambda match: _FOLDED[match.group()], text)


# Where a snippet may begin or end: after a clause or sentence mark, or at a space.
_CLAUSE_BREAKS = set("。！？；：，、,;:!?）)」』】\n")


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _snippet_bounds(text: str, match_start: int, width: int) -> tuple[int, int]:
    """A window of about `width` characters around a match, cut at a clause mark, a space or
    a CJK character, never inside a Latin word or number."""
    start = max(0, match_start - width // 3)
    if start:
        # begin after the first clause mark (else space) between there and the match
        for marks in (_CLAUSE_BREAKS, " "):
            found = next(
                (i for i in range(start - 1, match_start) if i >= 0 and text[i] in marks), None
            )
            if found is not None:
                start = found + 1
                break
        else:
            while (
                start < match_start
                and _is_word_char(text[start - 1])
                and _is_word_char(text[start])
            ):
                start += 1
        while start < match_start and text[start] == " ":
            start += 1
    end = min(len(text), start + width)
    if end < len(text):
        cut = end
        while cut > match_start and _is_word_char(text[cut - 1]) and _is_word_char(text[cut]):
            cut -= 1
        if cut > start + width // 2:
            end = cut
    return start, end


@lru_cache(maxsize=256)
def highlight_regex(phrases: tuple[tuple[str, ...], ...]):
    """One compiled pattern for a query's phrases (the hits of a page share it)."""
    patterns = sorted({_phrase_pattern(p) for p in phrases if p}, key=len, reverse=True)
    return re.compile("|".join(patterns), re.IGNORECASE) if patterns else None


def highlight(text: str, phrases: list[tuple[str, ...]], width: int = 90) -> str:
    """An HTML-safe snippet of `text` around the first match, matches wrapped in <mark>; the
    text keeps its own punctuation, and the snippet starts and ends at a word boundary."""
    from django.utils.html import escape

    text = " ".join((text or "").split())
    if not text:
        return ""
    folded = _fold(text)
    regex = highlight_regex(tuple(phrases))
    first = regex.search(folded) if regex else None
    start, end = _snippet_bounds(text, first.start() if first else 0, width)
    out, last = [], start
    if regex:
        for match in regex.finditer(folded, start, end):
            if match.end() == match.start():
                continue
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
            last = match.end()
    out.append(escape(text[last:end]))
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


# --- the database's token streams in one pass (bulk indexing) ----------------------------

# A run of CJK characters, or a word, or a number: what `tokens` finds, with a run of CJK
# characters as one match instead of one per character.
_RUN_RE = re.compile(rf"[{_CJK}]+|[a-z]+|[0-9]+")
_LETTERS = "abcdefghijklmnop"


class _Spelled(dict):
    """A CJK character as the database indexes it ("zq" + its code point in the letters
    a–p: 电 → zqgfcfe), remembered; a bigram's spelling is its two characters' joined."""

    def __missing__(self, char: str) -> str:
        spelled = self[char] = "zq" + "".join(_LETTERS[int(d, 16)] for d in f"{ord(char):04x}")
        return spelled


_spelled = _Spelled()


def spelled_stream(texts, separated: bool = False, longest: int | None = None) -> str | None:
    """`" ".join(db_token(t) for t in index_tokens(tokens(a) + tokens(b) + …))` for the
    texts, in one pass: the tokenizer's matches are whole runs of CJK characters, each run's
    bigrams are joined spellings of its characters, and a run goes on across the texts and
    the characters between tokens exactly as `index_tokens` runs over the token list. With
    `separated`, SEPARATOR goes between one text and the next once a token has been seen
    (Document.code_tokens). None when a text is longer than `longest` characters, where a
    caller's limit on the token count could matter: the caller then takes the long way.
    Building these streams token by token was the largest cost of making 100,000 new
    listings searchable (docs/performance.md, "Import speed")."""
    out: list[str] = []
    run: list[str] = []
    spell = _spelled.__getitem__
    for number, text in enumerate(texts):
        text = normalize(text)
        if longest is not None and len(text) > longest:
            return None
        if separated and number and (out or run):
            if run:
                out.extend(map(add, run, run[1:]))
                out.append(run[-1])
                run = []
            out.append(SEPARATOR)
        for match in _RUN_RE.findall(text):
            if match[0] > "\x7f":
                run.extend(map(spell, match))
                continue
            if run:
                out.extend(map(add, run, run[1:]))
                out.append(run[-1])
                run = []
            out.append(_stem(match))
    if run:
        out.extend(map(add, run, run[1:]))
        out.append(run[-1])
    return " ".join(out)
