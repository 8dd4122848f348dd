"""Operators' synonym groups (同义词组), the writing side: create, replace the terms of, delete.

A group is the `Synonym` rows sharing a `group` key; a query word matching any term matches all of
them (`synonyms.expand`). Terms are stored as the tokenizer writes them (`synonym_term_normalise`:
lower-cased, half-width, words split by spaces), so what an operator types is what a shopper's
query matches. A term belongs to one operator group at most, so an operator always finds it in one
place; a group that only repeats a built-in brand group is refused as well.

Search reads the rows on every query (`synonyms.expand` keeps no cache), so a change shows in the
next search. Every write bumps `synonyms_version()` after commit: a cache of expansions or of
search results must include it in its keys. Only administrators write; every write is audited.
"""

from __future__ import annotations

import re
import secrets

from django.core.cache import cache
from django.db import connection, transaction
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, field_error
from shared_apps.accounts import roles
from shared_apps.audit.services import audit_record

from .lexicon import BRAND_ALIASES
from .models import Synonym
from .synonym_selectors import BUILTIN_PREFIX, SynonymGroupData, synonym_group
from .synonyms import synonym_term_normalise

TERM_CHARS = 40
TERM_WORDS = 8
GROUP_TERMS = 20
VERSION_KEY = "search:synonyms:version"
_SEPARATORS = re.compile(r"[\n\r,，、;；]+")


def split_terms(text: str) -> list[str]:
    """Terms typed in one box: one per line, or separated by commas (, ，、) or semicolons."""
    return [part for part in _SEPARATORS.split(str(text or "")) if part.strip()]


def synonyms_version() -> int:
    """A number that changes with every committed synonym change (0 before the first)."""
    return int(cache.get(VERSION_KEY) or 0)


def _changed() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or evicted): any new value differs from what was read
        cache.set(VERSION_KEY, secrets.randbelow(2**31) + 1, None)


def _terms_error(message: str):
    return field_error("terms", message)


def _clean(terms) -> list[str]:
    """The terms as stored, in the order given, or a 400 naming `terms` that says what is wrong."""
    if isinstance(terms, str) or not isinstance(terms, list | tuple):
        raise _terms_error(_("Give the terms as a list."))
    if len(terms) > GROUP_TERMS:
        raise _terms_error(_("A group holds at most %(n)d terms.") % {"n": GROUP_TERMS})
    seen: dict[str, str] = {}
    for n, raw in enumerate(terms, start=1):
        if not isinstance(raw, str):
            raise _terms_error(_("Term %(n)d is not text.") % {"n": n})
        text = " ".join(raw.split())
        if not text:
            raise _terms_error(_("Term %(n)d is empty.") % {"n": n})
        if len(text) > TERM_CHARS:
            raise _terms_error(_("“%(term)s…” is longer than %(max)d characters.")
                               % {"term": text[:TERM_CHARS], "max": TERM_CHARS})
        stored = synonym_term_normalise(text)
        if not stored:
            raise _terms_error(_("“%(term)s” has no letters or digits to search for.") % {"term": text})
        if len(stored.split()) > TERM_WORDS:
            raise _terms_error(_("“%(term)s” has more than %(max)d words.") % {"term": text, "max": TERM_WORDS})
        if stored in seen:
            if seen[stored] == text:
                raise _terms_error(_("“%(term)s” is given twice.") % {"term": text})
            raise _terms_error(_("“%(first)s” and “%(second)s” are the same term (%(stored)s).")
                               % {"first": seen[stored], "second": text, "stored": stored})
        seen[stored] = text
    if len(seen) < 2:
        raise _terms_error(_("A synonym group needs at least two different terms."))
    return list(seen)


def _lock() -> None:
    """Synonym writes take turns, so two operators cannot put one term into two groups at once."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('search.synonyms'))")


def _check_unique(terms: list[str], *, key: str | None) -> None:
    """409 when a term is in another operator group, or when every term is already in one built-in
    brand group (nothing would change)."""
    taken = Synonym.objects.filter(term__in=terms).exclude(group=key or "").order_by("id").first()
    if taken is not None:
        other = synonym_group(key=taken.group)
        message = _("“%(term)s” is already in the group %(group)s; edit that group instead.") % {
            "term": taken.term, "group": " · ".join(other.terms if other else [taken.term])}
        raise Conflict(message, code="synonym_term_taken", fields={"terms": [message]})
    for names in BRAND_ALIASES:
        if set(terms) <= set(names):
            message = _("These are already synonyms built in: %(group)s.") % {"group": " · ".join(names)}
            raise Conflict(message, code="synonym_builtin", fields={"terms": [message]})


def _found(key: str) -> list[Synonym]:
    if key.startswith(BUILTIN_PREFIX):
        raise Conflict(_("Built-in synonyms cannot be changed; add a group of your own instead."),
                       code="synonym_builtin")
    rows = list(Synonym.objects.filter(group=key).order_by("id"))
    if not rows:
        raise NotFound(_("No such synonym group."))
    return rows


@transaction.atomic
def synonym_group_create(*, terms, actor, ip: str | None = None) -> SynonymGroupData:
    """A new operator group of two to 20 terms (each at most 40 characters, none already in another
    group). Search uses it from the next query. Administrators only; audited."""
    roles.require_operator(actor, roles.SEARCH_SYNONYMS)
    cleaned = _clean(terms)
    _lock()
    _check_unique(cleaned, key=None)
    key = f"ops-{secrets.token_hex(6)}"
    Synonym.objects.bulk_create([Synonym(group=key, term=term) for term in cleaned])
    audit_record(actor=actor, action="search.synonym_group_create", target_type="search.SynonymGroup",
                 target_id=key, after={"terms": cleaned}, ip=ip)
    transaction.on_commit(_changed)
    return synonym_group(key=key)


@transaction.atomic
def synonym_group_update(*, key: str, terms, actor, ip: str | None = None) -> SynonymGroupData:
    """Replace a group's terms (the same rules as creating one). Terms kept keep their place; the
    same terms again change nothing and write no audit entry. Administrators only; audited."""
    roles.require_operator(actor, roles.SEARCH_SYNONYMS)
    cleaned = _clean(terms)
    _lock()
    before = [row.term for row in _found(key)]
    if set(before) == set(cleaned):
        return synonym_group(key=key)
    _check_unique(cleaned, key=key)
    Synonym.objects.filter(group=key).exclude(term__in=cleaned).delete()
    Synonym.objects.bulk_create([Synonym(group=key, term=term) for term in cleaned if term not in before])
    group = synonym_group(key=key)
    audit_record(actor=actor, action="search.synonym_group_update", target_type="search.SynonymGroup",
                 target_id=key, before={"terms": before}, after={"terms": list(group.terms)}, ip=ip)
    transaction.on_commit(_changed)
    return group


@transaction.atomic
def synonym_group_delete(*, key: str, actor, ip: str | None = None) -> None:
    """Delete a group: its terms stop matching each other from the next query. Administrators
    only; audited with the terms it had."""
    roles.require_operator(actor, roles.SEARCH_SYNONYMS)
    _lock()
    before = [row.term for row in _found(key)]
    Synonym.objects.filter(group=key).delete()
    audit_record(actor=actor, action="search.synonym_group_delete", target_type="search.SynonymGroup",
                 target_id=key, before={"terms": before}, ip=ip)
    transaction.on_commit(_changed)
