"""Writes of the search app."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

from .models import SuggestPrefix
from .text import pinyin_key, tokens

BATCH = 20_000

# A term's spelling (pinyin for a Han term) and each one-character deletion of it: the deletion
# index that `spelling.did_you_mean` looks typos up in. Too short or all-digit spellings get none
# (nothing to correct there).
KEYS_SQL = """
    CASE WHEN length(s.spelling) >= 3 AND s.spelling ~ '[a-z]' THEN ARRAY(
        SELECT DISTINCT k FROM (
            SELECT s.spelling AS k
            UNION ALL
            SELECT overlay(s.spelling placing '' from i for 1) FROM generate_series(1, length(s.spelling)) i
        ) d WHERE length(k) >= 2
    )::varchar[] ELSE '{}'::varchar[] END
"""


def _offer_documents() -> Iterable[str]:
    from shared_apps.offers.models import OfferText

    # Only what shoppers can find: a suspended shop's words are neither suggested nor corrections.
    rows = OfferText.objects.filter(shop__status="active").order_by().values_list("title", "brand", "model")
    for title, brand, model in rows.iterator(chunk_size=5000):
        yield f"{title}\n{brand}\n{model}"


def vocabulary_refresh(*, documents: Iterable[str] | None = None) -> int:
    """Rebuild the search vocabulary (`SearchTerm`) from the mall offer index, or from
    `documents` when given: every token with the number of documents containing it, its pinyin
    and initials, and its deletion keys. Counting is Python (jieba); writing is set-based: the
    counts go into a temporary table in batches, then one upsert that touches only changed rows
    and one delete of vanished terms, in one transaction, so readers never see half a vocabulary.
    Returns the number of terms."""
    counts: Counter[str] = Counter()
    for text in documents if documents is not None else _offer_documents():
        counts.update(set(tokens(text)))
    terms = sorted(t for t in counts if len(t) <= 64)
    with transaction.atomic(), connection.cursor() as cursor:
        # Dropped at commit; also dropped here, for a caller's transaction that runs this twice.
        cursor.execute("DROP TABLE IF EXISTS pg_temp.search_term_load")
        cursor.execute(
            "CREATE TEMP TABLE search_term_load (term varchar(64) PRIMARY KEY, pinyin varchar(200),"
            " initials varchar(64), frequency integer) ON COMMIT DROP")
        for start in range(0, len(terms), BATCH):
            chunk = terms[start:start + BATCH]
            keys = [pinyin_key(t) for t in chunk]
            cursor.execute(
                "INSERT INTO search_term_load SELECT * FROM unnest(%s::varchar[], %s::varchar[],"
                " %s::varchar[], %s::integer[])",
                [chunk, [k[0] for k in keys], [k[1][:64] for k in keys], [counts[t] for t in chunk]])
        cursor.execute(f"""
            INSERT INTO search_searchterm (term, pinyin, initials, frequency, keys)
            SELECT l.term, l.pinyin, l.initials, l.frequency, {KEYS_SQL}
            FROM search_term_load l,
                 LATERAL (SELECT CASE WHEN l.pinyin <> '' THEN l.pinyin ELSE l.term END AS spelling) s
            ON CONFLICT (term) DO UPDATE
                SET pinyin = EXCLUDED.pinyin, initials = EXCLUDED.initials,
                    frequency = EXCLUDED.frequency, keys = EXCLUDED.keys
                WHERE (search_searchterm.pinyin, search_searchterm.initials, search_searchterm.frequency)
                      IS DISTINCT FROM (EXCLUDED.pinyin, EXCLUDED.initials, EXCLUDED.frequency)
        """)  # KEYS_SQL is a constant
        cursor.execute("DELETE FROM search_searchterm t WHERE NOT EXISTS"
                       " (SELECT 1 FROM search_term_load l WHERE l.term = t.term)")
    return len(terms)


SUGGEST_PREFIX_CHARS = 12
SUGGEST_TERMS = 10


@transaction.atomic
def suggestions_refresh() -> int:
    """Rebuild the suggestion prefixes from the vocabulary in one set-based statement (run after
    `vocabulary_refresh`). Returns the number of prefixes."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_suggestprefix")
        cursor.execute("""
            INSERT INTO search_suggestprefix (prefix, terms)
            SELECT prefix, (array_agg(term ORDER BY frequency DESC, term))[1:%(n)s]
              FROM (SELECT DISTINCT ON (prefix, term) prefix, term, frequency
                      FROM (SELECT left(k.key, g.n) AS prefix, t.term, t.frequency
                              FROM search_searchterm t
                             CROSS JOIN LATERAL unnest(ARRAY[t.term, t.pinyin, t.initials]) AS k(key)
                             CROSS JOIN LATERAL generate_series(1, least(char_length(k.key), %(chars)s)) AS g(n)
                             WHERE k.key <> '') AS every_prefix
                     ORDER BY prefix, term, frequency DESC) AS distinct_prefixes
             GROUP BY prefix""", {"n": SUGGEST_TERMS, "chars": SUGGEST_PREFIX_CHARS})
        return cursor.rowcount


def suggest(text: str, *, limit: int = SUGGEST_TERMS) -> list[str]:
    """Completions of what a shopper is typing: the last word completed from the vocabulary (by
    its spelling, pinyin or initials), the words before it kept. One lookup; never raises."""
    from .text import QUERY_CHARS, query_terms

    raw = str(text or "")[:QUERY_CHARS]
    terms = query_terms(raw)
    if not terms:
        return []
    *before, last = [t.word for t in terms]
    found = SuggestPrefix.objects.filter(prefix=last[:SUGGEST_PREFIX_CHARS]).values_list("terms", flat=True).first()
    head = " ".join(before)
    return [f"{head} {term}".strip() for term in (found or [])[:limit]]


def dictionary_watch() -> int:
    """Beat: when the user dictionary changed (categories, standard products' brands), re-index
    the documents whose text holds a new word, so indexing and querying segment it alike, then
    publish the new fingerprint (each process reloads its dictionary on seeing it). Returns the
    documents re-indexed. The first run only publishes (there is nothing to compare with)."""
    from django.core.cache import cache
    from django.db.models import Q

    from shared_apps.offers.models import OfferText

    from . import index, text

    words = text.user_words(text.dictionary_words())
    published = cache.get(text.DICTIONARY_CACHE_KEY)
    fingerprint = text.dictionary_fingerprint(words)
    if published and published.get("fingerprint") == fingerprint:
        return 0
    reindexed = 0
    new = sorted(words - set(published["words"])) if published else []
    if new:
        text.dictionary_reset()  # this process indexes with the new words
        match = Q()
        for word in new:
            match |= Q(title__contains=word) | Q(brand__contains=word) | Q(model__contains=word)
        ids = OfferText.objects.filter(match).values_list("pk", flat=True)
        reindexed = index.docs_refresh(ids.iterator(chunk_size=index.BATCH))
    cache.set(text.DICTIONARY_CACHE_KEY, {"fingerprint": fingerprint, "words": sorted(words)}, None)
    return reindexed
