"""Reading the synonym groups (同义词组) for the operator console: the operators' own groups (the
`Synonym` rows, several rows per group) and the built-in brand names (`lexicon.BRAND_ALIASES`),
which are shown but cannot be edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Min, QuerySet

from .lexicon import BRAND_ALIASES
from .models import Synonym

BUILTIN_PREFIX = "builtin:"


@dataclass(frozen=True)
class SynonymGroupData:
    """One synonym group: `key` names it in URLs (a built-in group's starts with "builtin:"),
    `terms` are stored as the tokenizer writes them, in the order they were added."""

    key: str
    terms: tuple[str, ...]
    builtin: bool = False
    created_at: datetime | None = None


def _needle(q: str) -> str:
    from .text import normalise

    return " ".join(normalise(q).split())[:64]


def synonym_groups(*, q: str = "") -> QuerySet:
    """The operators' groups, newest first, as rows of {group, terms, created_at} (one query, so a
    page of them costs one query whatever its size); `q` keeps the groups with a term containing
    it. Turn a row into `SynonymGroupData` with `group_data`."""
    rows = Synonym.objects.all()
    needle = _needle(q)
    if needle:
        rows = rows.filter(group__in=Synonym.objects.filter(term__contains=needle).values("group"))
    return (rows.order_by().values("group")
            .annotate(terms=ArrayAgg("term", order_by="id"), created_at=Min("created_at"))
            .order_by("-created_at", "group"))


def group_data(row: dict) -> SynonymGroupData:
    return SynonymGroupData(key=row["group"], terms=tuple(row["terms"]), created_at=row["created_at"])


def synonym_group(*, key: str) -> SynonymGroupData | None:
    """One operator group by its key, or None."""
    row = synonym_groups().filter(group=key).first()
    return group_data(row) if row else None


def builtin_groups(*, q: str = "") -> list[SynonymGroupData]:
    """The built-in brand names (华为 ↔ huawei …), read-only; `q` as in `synonym_groups`."""
    needle = _needle(q)
    return [SynonymGroupData(key=BUILTIN_PREFIX + names[0], terms=tuple(names), builtin=True)
            for names in BRAND_ALIASES if not needle or any(needle in name for name in names)]
