"""Did-you-mean (纠错): corrections of a shopper's query from the indexed vocabulary.

Latin typos are corrected by Damerau-Levenshtein distance (optimal string alignment), allowed
to grow with the word: none under 4 letters, 1 up to 7, 2 from 8. Candidates come from the
deletion index in `SearchTerm.keys` (one GIN lookup), then each is checked by the real distance.
Chinese is corrected by sound: a query typed as pinyin ("huawei", "hua wei") or with a wrong
character of the same pinyin ("华伪") becomes the indexed word with that pinyin; a pinyin typo
("huawie") goes through the same deletion index, since a Han term's keys are built from its
pinyin. Among corrections the smaller distance wins, then the higher frequency.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from .text import Term, has_han, pinyin_key, query_terms

MAX_SPELLING = 20  # longer Latin words are not corrected (model numbers, junk)
MAX_CANDIDATES = 2000


def max_distance(length: int) -> int:
    return 0 if length < 4 else 1 if length < 8 else 2


def damerau_levenshtein(a: str, b: str, limit: int | None = None) -> int:
    """Edit distance counting a swap of two neighbouring characters as one edit (optimal string
    alignment). With `limit`, any distance above it is returned as `limit + 1`, early."""
    if a == b:
        return 0
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    if not a or not b:
        return len(a) or len(b)
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if limit is not None and min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    distance = previous[-1]
    return distance if limit is None or distance <= limit else limit + 1


def deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def lookup_keys(word: str) -> set[str]:
    """Keys to look a word up by: itself, one deletion, and two for long words. A stored term's
    keys are itself and its one-deletion strings, so every term within one edit, and those within
    two that differ by insertions or one substitution plus an insertion, share a key."""
    keys = {word} | deletes(word)
    if max_distance(len(word)) >= 2:
        keys |= {d2 for d1 in deletes(word) for d2 in deletes(d1)}
    return {k for k in keys if len(k) >= 2}


def lookup_keys_stored(spelling: str) -> set[str]:
    """The keys `vocabulary_refresh` stores for a spelling (see services.KEYS_SQL)."""
    return {k for k in {spelling} | deletes(spelling) if len(k) >= 2}


@dataclass(frozen=True)
class Entry:
    term: str
    pinyin: str
    initials: str
    frequency: int


class Vocabulary:
    """Reads of the indexed vocabulary (`SearchTerm`), each one query."""

    columns = "term, pinyin, initials, frequency"

    def _fetch(self, where: str, params: list) -> list[Entry]:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {self.columns} FROM search_searchterm WHERE {where}", params)
            return [Entry(*row) for row in cursor.fetchall()]

    def known_or_sounding(self, words: set[str], sounds: set[str], initials: set[str]) -> list[Entry]:
        """Terms that are one of `words`, or whose pinyin is one of `sounds` or initials one of
        `initials` (the most frequent first)."""
        if not (words or sounds or initials):
            return []
        return self._fetch(
            "term = ANY(%s::varchar[]) OR pinyin = ANY(%s::varchar[]) OR initials = ANY(%s::varchar[])"
            f" ORDER BY term = ANY(%s::varchar[]) DESC, frequency DESC LIMIT {MAX_CANDIDATES}",
            [sorted(words), sorted(sounds), sorted(initials), sorted(words)])

    def sharing_keys(self, wanted: list[tuple[set[str], int, int]]) -> list[Entry]:
        """For each (keys, shortest, longest): the most frequent terms sharing a deletion key whose
        spelling is `shortest` to `longest` long. One statement, one index probe per word."""
        wanted = [w for w in wanted if w[0]]
        if not wanted:
            return []
        part = (f"(SELECT {self.columns} FROM search_searchterm WHERE keys && %s::varchar[]"
                " AND length(CASE WHEN pinyin <> '' THEN pinyin ELSE term END) BETWEEN %s AND %s"
                f" ORDER BY frequency DESC LIMIT {MAX_CANDIDATES})")
        with connection.cursor() as cursor:
            cursor.execute(" UNION ".join([part] * len(wanted)),
                           [v for keys, low, high in wanted for v in (sorted(keys), low, high)])
            return [Entry(*row) for row in cursor.fetchall()]


@dataclass(frozen=True, order=True)
class _Fix:
    distance: int
    neg_span: int
    neg_frequency: int
    start: int
    end: int
    replacement: str


def _render(words: list[str]) -> str:
    out = ""
    for word in words:
        if out and not (has_han(out[-1]) and has_han(word[0])):
            out += " "
        out += word
    return out


def _windows(terms: list[Term], kind_ok, size: int = 3):
    for start in range(len(terms)):
        for end in range(start + 1, min(start + size, len(terms)) + 1):
            if not all(kind_ok(t) for t in terms[start:end]):
                break
            yield start, end


def did_you_mean(query_text, limit: int = 3, *, vocabulary: Vocabulary | None = None) -> list[str]:
    """Up to `limit` corrected versions of `query_text`, best first; empty when nothing better is
    known. Two queries of the vocabulary whatever the text. The caller decides when to show them
    (typically on few or no results)."""
    terms = query_terms(query_text)
    if not terms or limit <= 0:
        return []
    vocabulary = vocabulary or Vocabulary()
    words = [t.word for t in terms]

    def is_han(t: Term) -> bool:
        return t.kind == "han"

    def is_alpha(t: Term) -> bool:
        return t.kind == "ascii" and t.word.isalpha()

    han_windows = {(s, e): "".join(words[s:e]) for s, e in _windows(terms, is_han)}
    latin_windows = {(s, e): "".join(words[s:e]) for s, e in _windows(terms, is_alpha)}
    han_sounds = {span: pinyin_key(text)[0] for span, text in han_windows.items()}
    lookups = set(words) | set(han_windows.values()) | set(latin_windows.values())
    rows = vocabulary.known_or_sounding(
        lookups, {s for s in han_sounds.values() if s} | set(latin_windows.values()),
        {w for (s, e), w in latin_windows.items() if e - s == 1 and 2 <= len(w) <= 5})
    known = {r.term for r in rows}
    by_sound: dict[str, list[Entry]] = {}
    by_initials: dict[str, list[Entry]] = {}
    for row in rows:
        if row.pinyin:
            by_sound.setdefault(row.pinyin, []).append(row)
            by_initials.setdefault(row.initials, []).append(row)

    fixes: list[_Fix] = []

    def add(start: int, end: int, entry: Entry, distance: int) -> None:
        if entry.term != "".join(words[start:end]):
            fixes.append(_Fix(distance, start - end, -entry.frequency, start, end, entry.term))

    # Chinese with a wrong character: only where the text is not itself a known word and looks
    # broken (an unknown word, or single characters jieba could not join).
    for (start, end), text in han_windows.items():
        window = terms[start:end]
        broken = any(t.word not in known for t in window) or (end - start > 1 and all(
            len(t.word) == 1 for t in window))
        if text not in known and broken:
            for entry in by_sound.get(han_sounds[(start, end)], []):
                add(start, end, entry, 0)
    # Pinyin typed in Latin letters, whole or split ("huawei", "hua wei"), even if the Latin word
    # is also indexed (the shopper most likely meant the Chinese word).
    for (start, end), text in latin_windows.items():
        for entry in by_sound.get(text, []):
            add(start, end, entry, 0)
        if end - start > 1 and text in known:
            add(start, end, Entry(text, "", "", 0), 1)
        if end - start == 1 and text not in known and 2 <= len(text) <= 5:
            for entry in by_initials.get(text, [])[:limit]:
                add(start, end, entry, 2)
    # Latin typos, and typos in pinyin, by edit distance.
    unknown = {i: t.word for i, t in enumerate(terms) if t.kind == "ascii" and t.word not in known
               and max_distance(len(t.word)) and len(t.word) <= MAX_SPELLING and not t.word.isdigit()}
    if unknown:
        keyed = {i: lookup_keys(w) for i, w in unknown.items()}
        candidates = vocabulary.sharing_keys([
            (keyed[i], len(w) - max_distance(len(w)), len(w) + max_distance(len(w))) for i, w in unknown.items()])
        stored = {e.term: lookup_keys_stored(e.pinyin or e.term) for e in candidates}
        for i, word in unknown.items():
            bound = max_distance(len(word))
            for entry in candidates:
                if entry.pinyin and (len(word) < 5 or len(entry.term) < 2):
                    continue  # short pinyin is too ambiguous to correct by spelling
                spelling = entry.pinyin or entry.term
                if abs(len(spelling) - len(word)) > bound or not (keyed[i] & stored[entry.term]):
                    continue
                distance = damerau_levenshtein(word, spelling, bound)
                if distance <= bound:
                    add(i, i + 1, entry, distance)

    fixes.sort()
    chosen: list[_Fix] = []
    for fix in fixes:
        if all(fix.end <= c.start or fix.start >= c.end for c in chosen):
            chosen.append(fix)
    original = _render(words)
    suggestions: list[str] = []

    def apply(selection: list[_Fix]) -> None:
        out: list[str] = []
        i = 0
        for fix in sorted(selection, key=lambda f: f.start):
            out += words[i:fix.start] + [fix.replacement]
            i = fix.end
        text = _render(out + words[i:])
        if text != original and text not in suggestions:
            suggestions.append(text)

    if chosen:
        apply(chosen)
    for fix in fixes:
        if len(suggestions) >= limit:
            break
        apply([fix] + [c for c in chosen if fix.end <= c.start or fix.start >= c.end])
    return suggestions[:limit]
