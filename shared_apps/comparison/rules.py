"""The rules of comparison grouping (比价分组规则), as pure functions: no database here.

An offer lands in a group by the first rule that applies:

(a) Standard product. An offer bound to a standard product (the GTIN path of the catalog) is
    filed under `sp:<id>` plus its variant.
(b) Brand + model. Else an offer with both is filed under `bm:<category>:<brand>|<model>` plus its
    variant. Both are folded: NFKC (full-width ＡＢＣ → abc), casefolded, everything but letters
    and digits removed ("Mate-60", "mate 60" → mate60); a brand spelled in Chinese or Latin is one
    brand (苹果 / Apple / APPLE → apple, from `BRAND_ALIASES` and the search synonyms); a model
    that repeats the brand drops it ("华为Mate60" → mate60).
(c) Similar title. Else offers of the same platform category are compared by their titles and
    typed attributes. The title is cut into tokens by the search tokenizer (amounts such as
    512GB taken out first, brand spellings folded as in b). Two offers are similar when the
    score reaches the operators' threshold: the Jaccard index of their token sets, or, when
    both have typed attributes in common, 0.8 × Jaccard + 0.2 × the share of those attributes
    that agree. Some differences veto a match whatever the score: different brands, different
    model suffixes (Pro / Max / Plus / Ultra / mini …), each title having a number the other lacks
    (iPhone 14 vs iPhone 15; letters and digits are split, so A3104 has the number 3104), and a conflicting variant.

The variant. Identifying attributes make different products of one model: storage (256GB vs
512GB), RAM, screen size, volume, weight, edition. They come from the offer's typed attributes
and SKU spec (codes in `IDENTIFYING_CODES`, plus the category's key attributes), else from
amounts in the title (12+512GB → capacity 512). Colour and other looks never identify (雅川青 and
曜金黑 are one product to compare). In keys (a, b) only the amounts count (capacity, volume,
screen), as those are what titles and specs state most reliably; in (c) any identifying value
known on both sides must agree, and a cluster never holds two values of one dimension.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from shared_apps.search.text import analyse, normalise

# Spellings of one brand; the first Latin one is the folded form.
BRAND_ALIASES: tuple[tuple[str, ...], ...] = (
    ("apple", "苹果"), ("huawei", "华为"), ("honor", "荣耀"), ("xiaomi", "小米", "mi"), ("redmi", "红米"),
    ("samsung", "三星"), ("lenovo", "联想"), ("motorola", "摩托罗拉"), ("oneplus", "一加"), ("realme", "真我"),
    ("meizu", "魅族"), ("zte", "中兴"), ("nubia", "努比亚"), ("sony", "索尼"), ("canon", "佳能"),
    ("nikon", "尼康"), ("dji", "大疆"), ("insta360", "影石"), ("logitech", "罗技"), ("razer", "雷蛇"),
    ("edifier", "漫步者"), ("baseus", "倍思"), ("ugreen", "绿联"), ("anker", "安克"), ("philips", "飞利浦"),
    ("dell", "戴尔"), ("hp", "惠普"), ("asus", "华硕"), ("acer", "宏碁"), ("msi", "微星"), ("intel", "英特尔"),
    ("nvidia", "英伟达"), ("amd", "超威"), ("sandisk", "闪迪"), ("westerndigital", "西部数据", "wd"),
    ("seagate", "希捷"), ("kingston", "金士顿"), ("kioxia", "铠侠"), ("midea", "美的"), ("gree", "格力"),
    ("haier", "海尔"), ("hisense", "海信"), ("skyworth", "创维"), ("changhong", "长虹"), ("siemens", "西门子"),
    ("bosch", "博世"), ("panasonic", "松下"), ("dyson", "戴森"), ("ecovacs", "科沃斯"), ("roborock", "石头"),
    ("dreame", "追觅"), ("nike", "耐克"), ("adidas", "阿迪达斯"), ("anta", "安踏"), ("lining", "李宁"),
    ("uniqlo", "优衣库"), ("loreal", "欧莱雅"), ("lancome", "兰蔻"), ("esteelauder", "雅诗兰黛"),
    ("shiseido", "资生堂"), ("lego", "乐高"), ("decathlon", "迪卡侬"), ("arcteryx", "始祖鸟"),
    ("thenorthface", "北面"), ("yili", "伊利"), ("mengniu", "蒙牛"),
)

# Attribute or spec codes whose values make a different product (not colour, not pattern).
CAPACITY_CODES = frozenset({"storage", "rom", "capacity", "storage_capacity", "disk", "ssd", "存储", "存储容量",
                            "机身存储", "机身内存", "硬盘容量", "容量", "内存容量"})
IDENTIFYING_CODES = CAPACITY_CODES | frozenset({
    "ram", "memory", "运行内存", "内存", "screen_size", "size", "尺寸", "屏幕尺寸", "volume", "净含量",
    "net_content", "weight", "重量", "edition", "version", "版本", "套餐", "network", "网络制式",
})
NEVER_IDENTIFYING = frozenset({"colour", "color", "颜色", "配色", "机身颜色", "pattern", "图案", "style", "款式"})
MODEL_SUFFIXES = frozenset({"pro", "max", "plus", "ultra", "mini", "lite", "se", "air", "note", "fold", "flip",
                            "至尊版", "青春版", "标准版", "尊享版", "典藏版", "旗舰版"})
KEY_DIMENSIONS = ("cap", "vol", "screen")  # the part of the variant that goes into keys (a, b)

_FOLD = re.compile(r"[\W_]+")
# 512GB, 512G, 1TB, 1T, 500g, 1.5kg, 500ml, 2L, 65英寸 / 65寸; "12+" before an amount is RAM.
_AMOUNT = re.compile(r"(?:(?<![a-z0-9.])\d+\s*(?:gb|g)?\s*\+\s*)?(?<![a-z0-9.])(\d+(?:\.\d+)?)\s*"
                     r"(tb|t|gb|g|kg|ml|l|英寸|寸)(?![a-z])")
_UNITS = {"tb": ("cap", 1024), "t": ("cap", 1024), "gb": ("cap", 1), "g": ("cap", 1), "kg": ("cap", 1000),
          "ml": ("vol", 1), "l": ("vol", 1000), "英寸": ("screen", 1), "寸": ("screen", 1)}


def fold(text) -> str:
    """Lower-case, half-width, letters and digits only: "Ｍａｔｅ-60 Pro" → "mate60pro"."""
    return _FOLD.sub("", normalise(text))


class Aliases:
    """Folded spellings to one canonical token: the built-in brand spellings, then the operators'
    search synonyms (苹果 ↔ apple ↔ iphone), joined transitively."""

    def __init__(self, groups: Iterable[Iterable[str]] = ()):
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        brands = set()
        for spellings in [*BRAND_ALIASES, *groups]:
            folded = [fold(s) for s in spellings if fold(s)]
            if not folded:
                continue
            find(folded[0])
            if spellings in BRAND_ALIASES:
                brands.add(folded[0])
            for other in folded[1:]:
                a, b = find(folded[0]), find(other)
                if a != b:
                    # The canonical form: a built-in brand's Latin name, else the smaller spelling.
                    keep = min((a, b), key=lambda s: (s not in brands, not s.isascii(), s))
                    parent[a if keep == b else b] = keep
        self.canonical = {x: find(x) for x in list(parent)}

    def __call__(self, token: str) -> str:
        return self.canonical.get(token, token)


def brand_key(brand: str, aliases: Aliases) -> str:
    return aliases(fold(brand))


def model_key(model: str, brand: str, aliases: Aliases) -> str:
    """The folded model, without a leading brand spelling ("华为Mate60" → "mate60")."""
    folded = fold(model)
    canonical = brand_key(brand, aliases) if brand else ""
    for spelling, target in aliases.canonical.items():
        if canonical and target == canonical and folded.startswith(spelling) and len(folded) > len(spelling):
            return folded[len(spelling):]
    return folded


def _number(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def amounts(text: str) -> dict[str, str]:
    """The amounts a text states, by dimension: the largest of each (12+512GB → cap 512; a 4G/5G
    network is not an amount)."""
    found: dict[str, float] = {}
    for match in _AMOUNT.finditer(normalise(text)):
        number, unit = float(match.group(1)), match.group(2)
        if unit == "g" and number <= 5:
            continue
        dimension, factor = _UNITS[unit]
        found[dimension] = max(found.get(dimension, 0.0), number * factor)
    return {dimension: _number(str(value)) for dimension, value in found.items()}


def _without_amounts(text: str) -> str:
    return _AMOUNT.sub(" ", normalise(text))


def variant(*, title: str, attributes: Mapping, spec: Mapping, key_codes: Iterable[str] = ()) -> dict[str, str]:
    """The identifying values of an offer by dimension: typed attributes and SKU spec first,
    amounts in the title for what they leave open."""
    identifying = (IDENTIFYING_CODES | set(key_codes)) - NEVER_IDENTIFYING
    found: dict[str, str] = {}
    for source in (attributes or {}, spec or {}):
        if not isinstance(source, Mapping):
            continue
        for code, value in source.items():
            code = str(code).strip().lower()
            if code not in identifying or value in (None, "", []):
                continue
            text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
            stated = amounts(text)
            if code in CAPACITY_CODES and "cap" in stated:
                found.setdefault("cap", stated["cap"])
            elif stated and code not in {"ram", "memory", "运行内存", "内存"}:
                for dimension, amount in stated.items():
                    found.setdefault(dimension, amount)
            else:
                found.setdefault(f"attr:{code}", fold(text))
    for dimension, amount in amounts(title).items():
        found.setdefault(dimension, amount)
    return found


def variant_suffix(found: Mapping[str, str]) -> str:
    parts = [f"{d}={found[d]}" for d in KEY_DIMENSIONS if d in found]
    return "|" + "|".join(parts) if parts else ""


def conflicts(a: Mapping[str, str], b: Mapping[str, str]) -> bool:
    """Whether two variants name different products (a dimension both know, valued differently)."""
    return any(b.get(d, v) != v for d, v in a.items())


def offer_key(*, standard_product_id: int | None, brand: str, model: str, category_id: int | None,
              found: Mapping[str, str], aliases: Aliases) -> tuple[str, str] | None:
    """(key, kind) by rule a or b, or None when the offer is left to rule c."""
    if standard_product_id:
        return f"sp:{standard_product_id}{variant_suffix(found)}", "standard_product"
    brand_folded, model_folded = brand_key(brand, aliases), model_key(model, brand, aliases)
    if brand_folded and model_folded:
        return (f"bm:{category_id or 0}:{brand_folded}|{model_folded}{variant_suffix(found)}"[:255],
                "brand_model")
    return None


# --- rule c --------------------------------------------------------------------------------------

@dataclass
class Profile:
    """What rule c compares of one offer."""

    offer_id: int
    tokens: frozenset[str]
    brand: str
    found: dict[str, str]
    attributes: dict = field(default_factory=dict)  # non-identifying typed attributes, folded
    suffixes: frozenset[str] = field(init=False)
    numbers: frozenset[str] = field(init=False)

    def __post_init__(self):
        self.suffixes = self.tokens & MODEL_SUFFIXES
        self.numbers = frozenset(t for t in self.tokens if t.isdigit())  # mate60pro: 60


def title_tokens(title: str, brand: str = "") -> list[str]:
    """Rule c's tokens of a title (amounts taken out, lone Han characters dropped), before brand
    spellings are folded: what `GroupMember.tokens` caches."""
    tokens: dict[str, None] = {}
    for term in analyse(f"{brand} {_without_amounts(title)}"):
        if term.kind == "han" and len(term.word) == 1 and term.word not in MODEL_SUFFIXES:
            continue  # a lone character (an unknown word fallen apart) says little
        for token in (term.word, *(term.parts if term.kind == "ascii" else ())):
            tokens[token] = None
    return list(tokens)


def profile(*, offer_id: int, title: str, brand: str, attributes: Mapping, found: dict[str, str],
            aliases: Aliases, tokens: list[str] | None = None) -> Profile:
    if tokens is None:
        tokens = title_tokens(title, brand)
    plain = {str(k).lower(): fold(v if not isinstance(v, list) else " ".join(map(str, v)))
             for k, v in (attributes or {}).items() if str(k).lower() not in IDENTIFYING_CODES}
    return Profile(offer_id, frozenset(aliases(t) for t in tokens), brand_key(brand, aliases), found, plain)


ATTRIBUTE_WEIGHT = 0.2
BLOCK_LIMIT = 200  # offers sharing a blocking token beyond which only neighbours are compared
BLOCK_WINDOW = 24


def similarity(a: Profile, b: Profile) -> float:
    """The score of two offers, 0 when a veto applies (see the module docstring)."""
    if (a.brand and b.brand and a.brand != b.brand) or a.suffixes != b.suffixes or conflicts(a.found, b.found):
        return 0.0
    numbers_a, numbers_b = a.numbers, b.numbers
    if numbers_a - numbers_b and numbers_b - numbers_a:
        return 0.0
    union = len(a.tokens | b.tokens)
    jaccard = len(a.tokens & b.tokens) / union if union else 0.0
    common = a.attributes.keys() & b.attributes.keys()
    if not common:
        return jaccard
    agree = sum(a.attributes[k] == b.attributes[k] for k in common) / len(common)
    return (1 - ATTRIBUTE_WEIGHT) * jaccard + ATTRIBUTE_WEIGHT * agree


def clusters(profiles: list[Profile], threshold: float) -> list[list[int]]:
    """Offer ids of similar offers, clustered: the candidate pairs share a token among their
    rarest (prefix filtering: two token sets with Jaccard ≥ t always share one of the first
    |A| − ⌈t·|A|⌉ + 1 tokens in rarity order, so blocking loses no pair above the threshold)
    and the same model suffixes; in a block of more than `BLOCK_LIMIT` offers only the
    `BLOCK_WINDOW` nearest in token order are compared, which bounds the work at a small loss
    of recall on very common tokens;
    pairs are joined best first, and never into a cluster holding a conflicting variant, so a
    chain of near-matches cannot put 256GB and 512GB together."""
    if not profiles:
        return []
    # Offers with the same tokens, brand, variant and attributes are one node.
    nodes: dict[tuple, list[int]] = defaultdict(list)
    representative: dict[tuple, Profile] = {}
    for p in profiles:
        signature = (p.tokens, p.brand, tuple(sorted(p.found.items())), tuple(sorted(p.attributes.items())))
        nodes[signature].append(p.offer_id)
        representative.setdefault(signature, p)
    keys = list(nodes)
    reps = [representative[k] for k in keys]
    frequency: dict[str, int] = defaultdict(int)
    for p in reps:
        for token in p.tokens:
            frequency[token] += 1
    # The lowest Jaccard that can still reach the threshold once attributes are added.
    floor = max((threshold - ATTRIBUTE_WEIGHT) / (1 - ATTRIBUTE_WEIGHT), 0.0)
    index: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(reps):
        ordered = sorted(p.tokens, key=lambda t: (frequency[t], t))
        size = len(ordered)
        prefix = size - math.ceil(floor * size) + 1 if floor > 0 else size
        for token in ordered[:max(prefix, 1)]:
            index[(p.suffixes, token)].append(i)  # different suffixes never match: never a pair
    pairs: dict[tuple[int, int], float] = {}
    common_first = [" ".join(sorted(p.tokens, key=lambda t: (-frequency[t], t))) for p in reps]
    for members in index.values():
        if len(members) > BLOCK_LIMIT:
            # A token this common blocks too little: compare each offer only with its neighbours
            # in the order of their token lists (sorted neighbourhood), where near-duplicates meet.
            members = sorted(members, key=common_first.__getitem__)
            window = BLOCK_WINDOW
        else:
            window = len(members)
        for x in range(len(members)):
            for y in range(x + 1, min(x + 1 + window, len(members))):
                pair = (members[x], members[y]) if members[x] < members[y] else (members[y], members[x])
                if pair in pairs:
                    continue
                a, b = reps[pair[0]].tokens, reps[pair[1]].tokens
                union = len(a | b)
                # Cheap first: a Jaccard below the floor cannot reach the threshold.
                pairs[pair] = similarity(reps[pair[0]], reps[pair[1]]) if union and len(a & b) >= floor * union else 0.0
    parent = list(range(len(reps)))
    merged_variant = [dict(p.found) for p in reps]
    brands = [p.brand for p in reps]

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (x, y), score in sorted(pairs.items(), key=lambda item: (-item[1], item[0])):
        if score < threshold:
            break
        rx, ry = find(x), find(y)
        if rx == ry or conflicts(merged_variant[rx], merged_variant[ry]) or (
                brands[rx] and brands[ry] and brands[rx] != brands[ry]):
            continue
        parent[ry] = rx
        merged_variant[rx] = {**merged_variant[ry], **merged_variant[rx]}
        brands[rx] = brands[rx] or brands[ry]
    result: dict[int, list[int]] = defaultdict(list)
    for i, k in enumerate(keys):
        result[find(i)].extend(nodes[k])
    return [sorted(ids) for ids in result.values()]
