"""Linking external offers to the comparison groups of the mall (比价组匹配).

An external offer joins the group of the same product, found by the first rule that gives one
group:

1. its GTIN is a mall offer's GTIN → that offer's group;
2. its GTIN belongs to a standard product (taxonomy) → the group of that standard product;
3. its brand + model name a standard product → the group of that standard product;
4. its brand + model, normalised as the comparison engine does (`comparison.rules`: NFKC,
   casefold, letters and digits only, 苹果/Apple one brand, a model without its brand) → the
   brand-and-model group.

Groups of a standard product or a brand and model are split by variant (256GB and 512GB are
different products). The external offer's variant is read from its title by the same rules;
the group whose variant agrees is taken (an exact match first, else the only one that does not
conflict). When several groups remain (the title says no capacity, the mall sells two), the
offer is left unmatched rather than compared with the wrong product.

Everything is read in a fixed number of queries per batch, whatever its size.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from backend.lib.gtin import normalize_gtin
from shared_apps.comparison import rules
from shared_apps.comparison.models import ComparisonGroup, GroupAlias, GroupKind, GroupMember

from .models import ExternalOffer, MatchKind


def aliases() -> rules.Aliases:
    """Brand spellings as the comparison engine folds them: built-in brands plus the operators'
    one-word search synonyms."""
    from shared_apps.search.models import Synonym

    groups: dict[str, list[str]] = defaultdict(list)
    for group, term in Synonym.objects.values_list("group", "term"):
        if " " not in term:
            groups[group].append(term)
    return rules.Aliases(groups.values())


def gtin_forms(gtin14: str) -> set[str]:
    """The ways shops write one GTIN: GTIN-14 and its shorter forms without leading zeros."""
    forms = {gtin14}
    for length in (13, 12, 8):
        if gtin14[: 14 - length] == "0" * (14 - length):
            forms.add(gtin14[14 - length:])
    return forms


def _variant_of_key(key: str, skip: int) -> dict[str, str]:
    parts = key.split("|")[skip:]
    return dict(part.split("=", 1) for part in parts if "=" in part)


def _pick(candidates: Iterable[tuple[int, dict[str, str], int | None]], wanted: dict[str, str],
          category_id: int | None) -> int | None:
    """The one group (id, variant, category) whose variant agrees with `wanted`, or None."""
    wanted = {d: v for d, v in wanted.items() if d in rules.KEY_DIMENSIONS}
    fits = {gid: (variant, category) for gid, variant, category in candidates if not rules.conflicts(wanted, variant)}
    if category_id is not None and any(c == category_id for _v, c in fits.values()):
        fits = {gid: vc for gid, vc in fits.items() if vc[1] == category_id}
    exact = [gid for gid, (variant, _c) in fits.items() if variant == wanted]
    if len(exact) == 1:
        return exact[0]
    return next(iter(fits)) if len(fits) == 1 else None


def match_offers(offers: list[ExternalOffer]) -> int:
    """Set `group`, `match_kind` and `matched_at` on each offer (in memory; the caller saves).
    Returns how many are matched."""
    if not offers:
        return 0
    now = timezone.now()
    folded = aliases()
    gtins: dict[int, str] = {}
    for index, offer in enumerate(offers):
        try:
            gtins[index] = normalize_gtin(offer.gtin) if offer.gtin else ""
        except ValidationError:
            gtins[index] = ""
    wanted = [rules.variant(title=o.title, attributes={}, spec={}) for o in offers]
    found: dict[int, tuple[int, str]] = {}

    # 1. A mall offer with the same GTIN: its group (the most common one, should shops disagree).
    all_gtins = {g for g in gtins.values() if g}
    if all_gtins:
        forms = {form: g for g in all_gtins for form in gtin_forms(g)}
        by_gtin: dict[str, Counter] = defaultdict(Counter)
        for gtin, group_id in GroupMember.objects.filter(offer__gtin__in=list(forms)).values_list(
                "offer__gtin", "group_id"):
            by_gtin[forms[gtin]][group_id] += 1
        for index, gtin in gtins.items():
            if gtin in by_gtin:
                found[index] = (by_gtin[gtin].most_common(1)[0][0], MatchKind.GTIN)

    # 2 and 3. A standard product by GTIN, else by brand + model.
    from shared_apps.taxonomy.models import StandardProduct, StandardProductGtin
    from shared_apps.taxonomy.services import standard_product_key

    sp_by_gtin = dict(StandardProductGtin.objects.filter(
        gtin__in=[g for i, g in gtins.items() if g and i not in found], live=True).values_list("gtin", "product_id"))
    keys = {i: standard_product_key(o.brand, o.model) for i, o in enumerate(offers)
            if i not in found and o.brand.strip() and o.model.strip()}
    sp_by_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, key, category_id in StandardProduct.objects.filter(key__in=set(keys.values())).exclude(
            status="rejected").values_list("pk", "key", "category_id"):
        sp_by_key[key].append((pk, category_id))
    merged = dict(StandardProduct.objects.filter(
        pk__in={*sp_by_gtin.values(), *(pk for rows in sp_by_key.values() for pk, _c in rows)},
        merged_into__isnull=False).values_list("pk", "merged_into_id"))
    sp_of: dict[int, tuple[int, str]] = {}
    for index in range(len(offers)):
        if index in found:
            continue
        if gtins.get(index) in sp_by_gtin:
            sp_of[index] = (sp_by_gtin[gtins[index]], MatchKind.GTIN)
        elif index in keys and sp_by_key.get(keys[index]):
            rows = sp_by_key[keys[index]]
            category_id = offers[index].category_id
            chosen = [pk for pk, c in rows if c == category_id] or [pk for pk, _c in rows]
            if len(chosen) == 1:
                sp_of[index] = (chosen[0], MatchKind.STANDARD_PRODUCT)
    sp_of = {i: (merged.get(pk, pk), kind) for i, (pk, kind) in sp_of.items()}
    sp_groups: dict[int, list[tuple[int, dict[str, str], int | None]]] = defaultdict(list)
    for pk, key, sp_id, category_id in ComparisonGroup.objects.filter(
            standard_product_id__in={pk for pk, _k in sp_of.values()}, kind=GroupKind.STANDARD_PRODUCT).values_list(
            "pk", "key", "standard_product_id", "category_id"):
        sp_groups[sp_id].append((pk, _variant_of_key(key, 1), category_id))
    for index, (sp_id, kind) in sp_of.items():
        group_id = _pick(sp_groups.get(sp_id, ()), wanted[index], offers[index].category_id)
        if group_id is not None:
            found[index] = (group_id, kind)

    # 4. Brand and model, folded as the comparison engine folds them.
    bm: dict[int, str] = {}
    for index, offer in enumerate(offers):
        if index in found:
            continue
        brand, model = rules.brand_key(offer.brand, folded), rules.model_key(offer.model, offer.brand, folded)
        if brand and model:
            bm[index] = f"{brand}|{model}"
    if bm:
        pattern = r"^bm:[0-9]+:(" + "|".join(re.escape(v) for v in sorted(set(bm.values()))) + r")(\||$)"
        bm_groups: dict[str, list[tuple[int, dict[str, str], int | None]]] = defaultdict(list)
        rows = [(k, pk, c) for k, pk, c in ComparisonGroup.objects.filter(key__regex=pattern).values_list(
            "key", "pk", "category_id")]
        rows += [(k, pk, c) for k, pk, c in GroupAlias.objects.filter(key__regex=pattern).values_list(
            "key", "group_id", "group__category_id")]
        for key, pk, category_id in rows:
            base = "|".join(key.split(":", 2)[2].split("|")[:2])
            bm_groups[base].append((pk, _variant_of_key(key, 2), category_id))
        for index, base in bm.items():
            group_id = _pick(bm_groups.get(base, ()), wanted[index], offers[index].category_id)
            if group_id is not None:
                found[index] = (group_id, MatchKind.BRAND_MODEL)

    for index, offer in enumerate(offers):
        group_id, kind = found.get(index, (None, MatchKind.NONE))
        offer.group_id, offer.match_kind, offer.matched_at = group_id, kind, now
    return len(found)
