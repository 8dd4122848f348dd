"""The compare page's read model (商品对比): 2–4 comparison groups side by side by their typed spec
attributes (names and units from the platform category's attribute templates), lowest price, shop
count and rating, with the rows whose values differ marked.

Values come from the groups' offers in active shops: a product attribute or SKU spec value that
most offers agree on is shown; where the offers of one group differ (colours, say) their values are
listed together. Reads: the groups, their offers (two queries), their offers' attributes (one) and
each category's attribute templates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backend.api.errors import NotFound, field_error
from shared_apps.offers.models import OfferText
from tenants.models import ShopStatus

from . import selectors
from .models import ComparisonGroup
from .selectors import GroupInfo

MIN_GROUPS, MAX_GROUPS = 2, 4
MAX_VALUES = 5  # values of one attribute listed for one group, most common first


@dataclass(frozen=True)
class Column:
    group: GroupInfo
    lowest_price: Decimal | None  # in-stock offers of active shops
    shop_count: int
    offer_count: int
    rating: Decimal | None  # the shops' ratings weighted by how many each rests on; None: no rating yet
    rating_count: int


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    unit: str
    values: tuple[str, ...]  # one per column, "" when the group has none
    differs: bool


@dataclass(frozen=True)
class Comparison:
    columns: list[Column]
    rows: list[Row]


def compare_ids(values) -> list[int]:
    """The `g` values a shopper gave as 2–4 distinct group ids, in their order; else a 400 naming
    `g` (the product's existence is checked by `comparison`)."""
    if not isinstance(values, list | tuple):
        values = [values]
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or not 0 < int(text) < 2**63:
            raise field_error("g", _("Product ids are whole numbers, such as g=12."))
        if int(text) not in ids:
            ids.append(int(text))
    if len(ids) < MIN_GROUPS:
        raise field_error("g", _("Choose at least two different products to compare."))
    if len(ids) > MAX_GROUPS:
        raise field_error("g", _("Compare at most %(n)d products at a time.") % {"n": MAX_GROUPS})
    return ids


def _rating(offers: list[selectors.GroupOffer]) -> tuple[Decimal | None, int]:
    shops = {o.shop_id: (o.shop_rating, o.shop_rating_count) for o in offers if o.shop_rating is not None}
    if not shops:
        return None, 0
    weight = sum(max(count, 1) for _r, count in shops.values())
    total = sum(rating * max(count, 1) for rating, count in shops.values())
    return (total / weight).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), sum(c for _r, c in shops.values())


def _display(value, info) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    text = str(value).strip()
    if info is not None and info.unit and text and info.value_type in ("integer", "decimal"):
        return f"{text} {info.unit}"
    return text


def _definitions(category_ids) -> dict[int, tuple]:
    from shared_apps.taxonomy.interface import attributes_for

    found = {}
    for category_id in category_ids:
        try:
            found[category_id] = attributes_for(category_id)
        except ValidationError:  # a category deleted since: its values show under their codes
            found[category_id] = ()
    return found


def comparison(group_ids: list[int]) -> Comparison:
    """The compare table of these groups (checked by `compare_ids`). An unknown group, or one no
    active shop offers, is a 404 naming it."""
    groups = {g.pk: g for g in ComparisonGroup.objects.filter(pk__in=group_ids)}
    offers = selectors.groups_offers(group_ids)
    unknown = [g for g in group_ids if g not in groups or not offers.get(g)]
    if unknown:
        raise NotFound(_("No such product: %(ids)s.") % {"ids": ", ".join(map(str, unknown))},
                       fields={"g": [_("No such product: %(ids)s.") % {"ids": ", ".join(map(str, unknown))}]})
    infos = [selectors.info_of(groups[g]) for g in group_ids]
    definitions = _definitions(sorted({g.category_id for g in infos if g.category_id is not None}))
    english = (get_language() or "").startswith("en")

    # The attribute templates by code and by name (SKU specs are often keyed by the name).
    by_key: dict[str, object] = {}
    order: list[str] = []
    for info in infos:
        for attribute in definitions.get(info.category_id, ()):
            if attribute.code not in by_key:
                order.append(attribute.code)
            for key in (attribute.code, attribute.name, attribute.name_en):
                by_key.setdefault(key, attribute)

    values: list[dict[str, Counter]] = [{} for _g in group_ids]
    texts = OfferText.objects.filter(
        pk__in=[o.offer_id for rows in offers.values() for o in rows], shop__status=ShopStatus.ACTIVE)
    position = {g: i for i, g in enumerate(group_ids)}
    group_of = {o.offer_id: g for g, rows in offers.items() for o in rows}
    extra: list[str] = []
    for offer_id, attributes, spec in texts.values_list("pk", "attributes", "spec"):
        column = values[position[group_of[offer_id]]]
        for key, value in [*(attributes or {}).items(), *(spec or {}).items()]:
            attribute = by_key.get(key)
            code = attribute.code if attribute is not None else str(key)
            if attribute is None and code not in extra:
                extra.append(code)
            shown = _display(value, attribute)
            if shown:
                column.setdefault(code, Counter())[shown] += 1

    rows = []
    for code in [*order, *sorted(extra)]:
        attribute = by_key.get(code)
        cells = tuple(" / ".join(v for v, _n in column[code].most_common(MAX_VALUES)) if code in column else ""
                      for column in values)
        if not any(cells):
            continue
        label = code if attribute is None else ((attribute.name_en or attribute.name) if english else attribute.name)
        rows.append(Row(code=code, label=label, unit=attribute.unit if attribute else "", values=cells,
                        differs=len(set(cells)) > 1))

    lowest = selectors.lowest_prices(group_ids)
    columns = []
    for info in infos:
        rows_of = offers[info.id]
        rating, rating_count = _rating(rows_of)
        columns.append(Column(group=info, lowest_price=lowest.get(info.id, (None, 0))[0],
                              shop_count=len({o.shop_id for o in rows_of}), offer_count=len(rows_of),
                              rating=rating, rating_count=rating_count))
    return Comparison(columns=columns, rows=rows)

