"""Synonym expansion for queries (reads only; operators manage the groups elsewhere)."""

from django.db import connection

from .lexicon import BRAND_ALIASES
from .models import Synonym


def synonym_term_normalise(term: str) -> str:
    """How a synonym is stored: the query words of `term` joined by spaces ("iPhone" → "iphone")."""
    from .text import query_terms

    return " ".join(t.word for t in query_terms(term))


def _aliases() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for names in BRAND_ALIASES:
        for name in names:
            found[name] = set(names)
    return found


ALIASES = _aliases()


def canonical_brand(token: str) -> str:
    """The first name of a built-in brand group (华为 for huawei), else the token itself."""
    for names in BRAND_ALIASES:
        if token in names:
            return names[0]
    return token


def expand(tokens: list[str]) -> list[set[str]]:
    """For each token, the set of every term sharing a synonym group with it (itself included):
    the built-in brand names (lexicon.BRAND_ALIASES) and the operators' groups. One query
    whatever the number of tokens."""
    wanted = {t for t in tokens if t}
    related: dict[str, set[str]] = {t: {t} | ALIASES.get(t, set()) for t in wanted}
    if wanted:
        groups: dict[str, set[str]] = {}
        with connection.cursor() as cursor:  # on every search: plain SQL, no queryset to build
            cursor.execute(f"""
                SELECT s."group", s.term FROM {Synonym._meta.db_table} s
                 WHERE s."group" IN (SELECT "group" FROM {Synonym._meta.db_table} WHERE term = ANY(%s))""",
                           [sorted(wanted)])
            rows = cursor.fetchall()
        for group, term in rows:
            groups.setdefault(group, set()).add(term)
        for members in groups.values():
            for token in members & wanted:
                related[token] |= members
    return [set(related.get(t, {t})) for t in tokens]
