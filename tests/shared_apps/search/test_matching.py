"""The tokenizer against PostgreSQL's own full-text search: document() in, query() out."""

import pytest
from django.db import connection

from shared_apps.search.models import Synonym
from shared_apps.search.text import document, query

CATALOG = {
    "mate60": ("华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机", "华为", ""),
    "mate60glued": ("HUAWEI Mate60 RS 非凡大师", "华为", "ALN-AL10"),
    "iphone": ("Apple iPhone 15 Pro Max 256G 原色钛金属", "Apple", "A2849"),
    "redmi": ("小米Redmi K70 至尊版 智能手机", "小米", ""),
    "rtx": ("七彩虹 iGame GeForce RTX4090 显卡", "七彩虹", "RTX 4090"),
    "case": ("适用华为Mate60手机壳 硅胶 防摔", "", ""),
    "laptop": ("联想 ThinkPad X1 Carbon 笔记本电脑", "联想", ""),
}


def search(text: str) -> set[str]:
    values = ", ".join(["(%s, %s)"] * len(CATALOG))
    params = [v for key, (title, brand, extra) in CATALOG.items() for v in (key, document(title, brand, extra))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT key FROM (VALUES {values}) AS offers(key, doc)"  # placeholders only
            " WHERE to_tsvector('simple', doc) @@ to_tsquery('simple', %s)", [*params, query(text)])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.parametrize(("text", "expected"), [
    ("华为", {"mate60", "mate60glued", "case"}),
    ("HUAWEI mate 60", {"mate60", "mate60glued", "case"}),  # huawei ↔ 华为 (built-in brand names)
    ("huawei mate60", {"mate60", "mate60glued", "case"}),
    ("Mate60 手机", {"mate60", "case"}),
    ("华为手机", {"mate60", "case"}),
    ("iphone 15 pro max", {"iphone"}),
    ("Apple 256G", {"iphone"}),
    ("a2849", {"iphone"}),
    ("钛金属", {"iphone"}),
    ("rtx4090", {"rtx"}),
    ("RTX 4090", {"rtx"}),
    ("rtx-4090 显卡", {"rtx"}),
    ("小米 k70", {"redmi"}),
    ("红米", {"redmi"}),  # 红米 ↔ redmi
    ("智能 手机", {"redmi"}),
    ("手机", {"mate60", "redmi", "case"}),
    ("ThinkPad 笔记本", {"laptop"}),
    ("ＴＨＩＮＫＰＡＤ", {"laptop"}),
    ("雅川青", {"mate60"}),
    ("'; DROP TABLE offers;--", set()),
])
def test_search_finds_the_expected_titles(db, text, expected):
    assert search(text) == expected


def test_synonyms_widen_the_match(db):
    Synonym.objects.bulk_create([Synonym(group="phone", term="手机"), Synonym(group="phone", term="电话"),
                                 Synonym(group="apple", term="苹果"), Synonym(group="apple", term="iphone")])
    assert search("苹果电话") == set()  # the iPhone's title says neither 手机 nor 电话
    assert search("电话") == {"mate60", "redmi", "case"}
    assert search("苹果") == {"iphone"}
