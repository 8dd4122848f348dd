"""The one tokenizer of mall search (分词): the same rules turn an offer into the text of its
PostgreSQL `to_tsvector('simple', …)` and a shopper's words into a `to_tsquery('simple', …)`.

A query segmented differently from the titles finds nothing, so indexing and querying share
every rule and one dictionary. The rules, in order:

1. Input is capped (`DOCUMENT_CHARS`, `QUERY_CHARS`), NUL bytes go, NFKC folds full-width forms
   (ＡＢＣ１２３ → ABC123) and compatibility characters, accents are stripped, text is casefolded.
2. Only three kinds of runs survive; everything else (punctuation, emoji, tsquery operators,
   quotes, SQL comment marks) is a separator:
   - Han runs, segmented by jieba with HMM off (so unknown words always fall apart into the same
     single characters whatever their neighbours) and the shared user dictionary. Like jieba's
     search mode, a word also yields its 2- and 3-character sub-words found in the dictionary
     (智能手机 → 智能, 手机, 智能手机). Words of the user dictionary also yield their single
     characters, so a title indexed before a word joined the dictionary is still found.
   - ASCII letter/digit runs, kept whole (mate60, rtx4090, a2894) and also split at each
     letter/digit boundary (mate, 60), so "mate60" and "mate 60" find each other. Storage
     sizes fold to what shoppers type: 256GB is 256g, 1TB is 1t. On the index
     side a letter run followed by a number run across a space or hyphen is also joined
     ("Mate 60" → mate60) so a shopper's "mate60" ranks it like a title written "Mate60".
   - runs of other letters (Cyrillic, kana, Hangul …), kept whole.
3. A handful of Chinese function characters (的, 了 …) are dropped; tokens longer than
   `TOKEN_CHARS` are dropped as junk, and so are Latin runs starting `zq` (the namespace of
   the index's filter tokens).

Tokens therefore contain only letters and digits, so the PostgreSQL parser keeps each one as a
single lexeme, and `query` still quotes every operand.

jieba's dictionary is loaded lazily, once per process, into a private `jieba.Tokenizer` (never the
module-global one), with its cache in a per-user directory under the system temp dir. The user
dictionary changes with the data (a new category, a standard product's brand): the beat task
`services.dictionary_watch` notices within a minute, re-indexes the documents holding a new word
and publishes the dictionary's fingerprint, and every process loads the dictionary again within
`DICTIONARY_CHECK_SECONDS` of seeing a fingerprint that is not its own.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass

log = logging.getLogger(__name__)

DOCUMENT_CHARS = 4000
QUERY_CHARS = 200
QUERY_TERMS = 16
TOKEN_CHARS = 32
# The index's filter tokens (zqc12: category 12, zqs3, zqb…, zqp…, zqt…) start so; a word of a title
# or a query that does is dropped, so no title can file itself under a filter and no query can ask
# for one.
RESERVED_PREFIX = "zq"
STOP_WORDS = frozenset(["的", "了", "和", "与", "及", "或", "之", "在", "是", "把", "被", "着"])

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"(?P<han>[{HAN}]+)|(?P<ascii>[a-z0-9]+)|(?P<other>(?:(?![{HAN}a-z0-9])[^\W_])+)")
_LETTER_DIGIT = re.compile(r"[a-z]+|[0-9]+")
_STORAGE = re.compile(r"^([0-9]+)([gt])b$")
_JOINABLE_GAP = re.compile(r"[\s\-_]*")


@dataclass(frozen=True)
class Term:
    """One word of the text as a shopper would name it (`word`), with the smaller tokens it also
    matches as (`parts`: jieba sub-words, letter/digit runs, characters of dictionary words)."""

    word: str
    kind: str  # "han", "ascii", "other", or "join" (index side only)
    parts: tuple[str, ...] = ()  # a query matches the word or all of these
    extra: tuple[str, ...] = ()  # further tokens the index holds for the word
    start: int = 0
    end: int = 0


# --- the shared dictionary ----------------------------------------------------------------------

_lock = threading.Lock()
_base: tuple[dict, int] | None = None  # jieba's own dictionary, loaded once per process
_state: _Segmenter | None = None


class _Segmenter:
    def __init__(self, tokenizer, user_words: frozenset[str]):
        self.tokenizer = tokenizer
        self.user_words = user_words
        self.fingerprint = dictionary_fingerprint(user_words)
        self.checked_at = time.monotonic()

    def words(self, run: str) -> list[str]:
        return [w for w in self.tokenizer.cut(run, HMM=False) if w]

    def sub_words(self, word: str) -> list[str]:
        """jieba's search mode: the word's dictionary 2-grams and 3-grams."""
        freq = self.tokenizer.FREQ
        found = []
        for size in (2, 3):
            if len(word) > size:
                found += [word[i:i + size] for i in range(len(word) - size + 1) if freq.get(word[i:i + size])]
        return found


def _cache_dir() -> str | None:
    """A directory only this user can write, so jieba's marshal cache is never read from a file
    someone else could have planted in a shared /tmp."""
    path = os.path.join(tempfile.gettempdir(), f"mall-jieba-{os.getuid() if hasattr(os, 'getuid') else 'u'}")
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        if os.stat(path).st_mode & 0o077 or not os.access(path, os.W_OK):
            return None
    except OSError:
        return None
    return path


def _new_tokenizer():
    global _base
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    if _base is None:
        cache = _cache_dir()
        if cache is None:
            # No private place for the cache: build from the packaged dictionary every start
            # (about a second) rather than read or write a shared file.
            tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(tokenizer.get_dict_file())
            tokenizer.initialized = True
        else:
            tokenizer.tmp_dir = cache
            tokenizer.cache_file = "jieba.cache"
            tokenizer.initialize()
        _base = (tokenizer.FREQ, tokenizer.total)
    tokenizer.FREQ, tokenizer.total = dict(_base[0]), _base[1]
    tokenizer.initialized = True
    return tokenizer


def dictionary_words() -> list[str]:
    """The user dictionary: the curated brands and product words, every category name and the
    brand of every live standard product (Latin entries included; only their Han runs affect
    segmentation)."""
    from .lexicon import BRANDS, PRODUCT_WORDS

    words = [*BRANDS, *PRODUCT_WORDS]
    try:
        from django.db import DatabaseError, transaction

        from shared_apps.taxonomy.models import Category, StandardProduct

        # A savepoint, so a caller's transaction survives a database without these tables.
        with transaction.atomic():
            words += list(Category.objects.filter(is_active=True).values_list("name", flat=True))
            words += list(StandardProduct.objects.exclude(status="rejected").order_by()
                          .values_list("brand", flat=True).distinct())
    except (DatabaseError, ImportError, RuntimeError) as exc:  # no database in this process
        log.warning("search dictionary without taxonomy words: %s", exc)
    return words


DICTIONARY_CACHE_KEY = "search:dictionary"  # {"fingerprint", "words"}, written by dictionary_watch
DICTIONARY_CHECK_SECONDS = 30


def dictionary_fingerprint(user_words) -> str:
    return hashlib.sha256("\n".join(sorted(user_words)).encode()).hexdigest()[:16]


def _published_fingerprint() -> str | None:
    """The dictionary's fingerprint as `dictionary_watch` last published it (None: unknown)."""
    try:
        from django.core.cache import cache

        return (cache.get(DICTIONARY_CACHE_KEY) or {}).get("fingerprint")
    except Exception:  # noqa: BLE001 - a search must not fail on this check; keep the dictionary it has
        return None


def _segmenter() -> _Segmenter:
    global _state
    state = _state
    if state is not None and time.monotonic() - state.checked_at > DICTIONARY_CHECK_SECONDS:
        # Another process saw the dictionary change (a category, a brand): load it again.
        state.checked_at = time.monotonic()
        published = _published_fingerprint()
        if published and published != state.fingerprint:
            dictionary_reset()
            state = None
    if state is not None:
        return state
    with _lock:
        if _state is None:
            words = user_words(dictionary_words())
            tokenizer = _new_tokenizer()
            for word in sorted(words):
                tokenizer.add_word(word)  # frequency suggested by jieba: always kept whole
            _state = _Segmenter(tokenizer, words)
        return _state


def user_words(words) -> frozenset[str]:
    """The Han words of the user dictionary that change segmentation (two characters or more)."""
    found = set()
    for raw in words:
        for match in _RUNS.finditer(normalise(raw)):
            word = match.group("han")
            if word and len(word) > 1:
                found.add(word)
    return frozenset(found)


def dictionary_reset() -> None:
    """Forget the user dictionary; the next tokenization reads it again (jieba's own dictionary
    stays loaded)."""
    global _state
    with _lock:
        _state = None


# --- tokenization -------------------------------------------------------------------------------

def normalise(text) -> str:
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = unicodedata.normalize("NFKC", text.replace("\x00", " "))
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", text).casefold()


def analyse(text, *, limit: int = DOCUMENT_CHARS) -> list[Term]:
    """The terms of `text` in order (see the module docstring for the rules)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = normalise(text[: limit * 2])[:limit]
    terms: list[Term] = []
    segmenter = None
    for match in _RUNS.finditer(text):
        kind = match.lastgroup or "other"
        run = match.group()
        if kind == "han":
            segmenter = segmenter or _segmenter()
            offset = match.start()
            for word in segmenter.words(run):
                start, offset = offset, offset + len(word)
                if word in STOP_WORDS or len(word) > TOKEN_CHARS:
                    continue
                subs = segmenter.sub_words(word)
                cover = _cover(word, subs) if len(word) > 1 else []
                extra = [*subs, *(word if word in segmenter.user_words else ())]
                terms.append(Term(word, "han", tuple(cover), tuple(dict.fromkeys(
                    t for t in extra if t not in cover)), start, offset))
        elif len(run) <= TOKEN_CHARS and not (kind == "ascii" and run.startswith(RESERVED_PREFIX)):
            if kind == "ascii":
                run = _STORAGE.sub(r"\1\2", run)  # 256gb → 256g, 1tb → 1t: how shoppers type them
            pieces = _LETTER_DIGIT.findall(run) if kind == "ascii" else []
            parts = tuple(pieces) if len(pieces) > 1 else ()
            terms.append(Term(run, kind, parts, (), match.start(), match.end()))
    return _with_joins(text, terms)


def _cover(word: str, subs: list[str]) -> list[str]:
    """The word split without itself: the longest sub-word at each position, else one character.
    A title written with the pieces apart (智能 手机), or indexed before the word joined the
    dictionary, holds these tokens."""
    cover, i = [], 0
    while i < len(word):
        piece = max((w for w in subs if word.startswith(w, i)), key=len, default=word[i])
        cover.append(piece)
        i += len(piece)
    return cover


def _with_joins(text: str, terms: list[Term]) -> list[Term]:
    """Mark letter runs followed by a number across a space or hyphen ("mate 60")."""
    out = []
    for i, term in enumerate(terms):
        out.append(term)
        nxt = terms[i + 1] if i + 1 < len(terms) else None
        if (nxt is not None and term.kind == nxt.kind == "ascii" and term.word.isalpha()
                and nxt.word.isdigit() and _JOINABLE_GAP.fullmatch(text, term.end, nxt.start)
                and len(term.word) + len(nxt.word) <= TOKEN_CHARS):
            out.append(Term(term.word + nxt.word, "join", (), (), term.start, nxt.end))
    return out


def tokens(text) -> list[str]:
    """Every token `text` is indexed under, in order (a word's parts before the word)."""
    result = []
    try:
        for term in analyse(text):
            result += [*term.parts, *term.extra, term.word]
    except Exception:  # tokenizing untrusted text must never fail a request
        log.exception("search tokenizer failed")
        return []
    return result


def document(title: str = "", brand: str = "", extra: str = "") -> str:
    """The text of an offer for `to_tsvector('simple', …)`: tokens of title, brand and extra
    (model, category, attribute values) separated by spaces."""
    text = " \n ".join(str(part) for part in (title, brand, extra) if part)
    return " ".join(tokens(text))


# --- queries ------------------------------------------------------------------------------------

def _quote(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def query_terms(text) -> list[Term]:
    """The terms of a shopper's query: capped, without index-only joins, without repeats."""
    try:
        terms = [t for t in analyse(text, limit=QUERY_CHARS) if t.kind != "join"]
    except Exception:
        log.exception("search tokenizer failed")
        return []
    seen: dict[str, Term] = {}
    for term in terms:
        seen.setdefault(term.word, term)
    return list(seen.values())[:QUERY_TERMS]


def query(text, *, synonyms: bool = True, any_term: bool = False) -> str:
    """A `to_tsquery('simple', …)` string for a shopper's text: every term must match, as itself,
    as any synonym (see `synonyms.expand`), or as all of its parts ("mate60" matches a title
    written "Mate 60"; 笔记本电脑 one written 笔记本 电脑) — but not as its single characters.
    Every operand is quoted. `any_term`: any one term is enough (related items). An empty string when nothing searchable is left;
    never raises."""
    # A whole dictionary word need not also match as its single characters: the index holds the
    # word itself (those characters match half the mall, and cost as much to read).
    terms = [t if t.kind != "han" or any(len(p) > 1 for p in t.parts) else Term(t.word, t.kind)
             for t in query_terms(text)]
    if not terms:
        return ""
    groups: dict[str, set[str]] = {}
    if synonyms:
        words = list(dict.fromkeys(w for t in terms for w in (t.word, *t.parts)))
        try:
            from .synonyms import expand

            groups = dict(zip(words, expand(words), strict=True))
        except Exception:  # a query without synonyms beats a failed search
            log.exception("synonym expansion failed")

    def any_of(word: str) -> str:
        alternatives = sorted(groups.get(word) or {word})
        rendered = [" & ".join(_quote(t) for t in alt.split()) for alt in alternatives]
        rendered = [f"( {r} )" if " & " in r else r for r in rendered if r]
        return rendered[0] if len(rendered) == 1 else "( " + " | ".join(rendered) + " )"

    clauses = []
    for term in terms:
        clause = any_of(term.word)
        if term.parts:
            clause = f"( {clause} | ( {' & '.join(any_of(p) for p in dict.fromkeys(term.parts))} ) )"
        clauses.append(clause)
    return (" | " if any_term else " & ").join(clauses)


# --- pinyin -------------------------------------------------------------------------------------

def has_han(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def pinyin_key(token: str) -> tuple[str, str]:
    """Toneless full pinyin and initials of a Han token (华为 → ("huawei", "hw")); ("", "") for a
    token without Han characters. Polyphones take pypinyin's reading in context."""
    if not token or not has_han(token):
        return "", ""
    from pypinyin import Style, lazy_pinyin

    syllables = [s for s in lazy_pinyin(token, style=Style.NORMAL, errors="ignore") if s.isascii()]
    full = "".join(syllables).replace("ü", "v").lower()
    return re.sub(r"[^a-z]", "", full), "".join(s[0] for s in syllables if s and s[0].isalpha()).lower()


