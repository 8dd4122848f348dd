import pytest
from django.db import connection

from shared_apps.search.text import document, pinyin_key, query, query_terms, tokens

HUAWEI = "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 手机"
IPHONE = "Apple iPhone 15 Pro Max 256G 原色钛金属"
REDMI = "小米Redmi K70 至尊版"


def test_mixed_title_chinese_brand_model_and_sizes():
    assert tokens(HUAWEI) == [
        "华", "为", "华为", "huawei", "mate", "mate60", "60", "pro", "12", "g", "12g", "512", "g", "512g",
        "雅", "川", "青", "雅川青", "手", "机", "手机"]


def test_latin_lower_cased_and_sub_words_of_a_colour():
    assert tokens(IPHONE) == [
        "apple", "iphone", "iphone15", "15", "pro", "max", "256", "g", "256g",
        "原色", "钛", "金属", "原", "色", "金", "属", "原色钛金属"]


def test_brand_glued_to_chinese_and_model_number_kept_whole_and_split():
    assert tokens(REDMI) == ["小", "米", "小米", "redmi", "k", "70", "k70", "至尊", "版", "至", "尊", "至尊版"]


def test_full_width_folds_to_half_width():
    assert tokens("ＡＢＣ１２３") == ["abc", "123", "abc123"]
    assert tokens("ＭＡＴＥ６０") == tokens("mate60")


def test_category_words_from_the_taxonomy_join_the_dictionary():
    # "手机数码" is a seeded business category: kept whole, and its pieces still match.
    found = tokens("手机数码")
    assert found[-1] == "手机数码"
    assert {"手机", "数码", "手", "机", "数", "码"} <= set(found)
    assert [t.parts for t in query_terms("手机数码")] == [("手机", "数码")]


def test_query_side_uses_the_same_tokens_as_the_index():
    for title in (HUAWEI, IPHONE, REDMI, "ＡＢＣ１２３"):
        indexed = set(tokens(title))
        for term in query_terms(title):
            assert term.word in indexed
            assert set(term.parts) <= indexed


def test_model_number_typed_with_and_without_space():
    assert set(tokens("mate 60")) <= set(tokens("Mate60"))
    assert "mate60" in tokens("Mate 60")  # index side joins, so "mate60" ranks both alike
    assert [t.parts for t in query_terms("mate60")] == [("mate", "60")]


def test_query_is_and_of_terms_with_alternatives():
    assert query("华为 mate60", synonyms=False) == "'华为' & ( 'mate60' | ( 'mate' & '60' ) )"


def test_junk_is_dropped():
    assert tokens("'; DROP TABLE x;--") == ["drop", "table", "x"]
    assert tokens("😀🔥!!!") == []
    assert tokens("a\x00b") == ["a", "b"]
    assert tokens("x" * 10_000) == []  # one 10 KB "word" is junk, not a token
    assert tokens(None) == []


def test_pinyin_key():
    assert pinyin_key("华为") == ("huawei", "hw")
    assert pinyin_key("绿联") == ("lvlian", "ll")
    assert pinyin_key("iphone") == ("", "")


HOSTILE = [
    "", " ", "\x00", "\x00华为\x00", "x" * 10_240, "华为 " * 3000, "😀😀😀", "🇨🇳👍🏻",
    "'; DROP TABLE x;--", "' OR 1=1 --", '"unbalanced', "'", "''", "\\", "\\'", "!&|():*", "a & | b",
    "!!华为", "(华为", "mate:*", "<->", "a <-> b", "!(a|b)&c:*AB", "%_", "\u200b\u200d", "\ufeff华为",
    "ＳＥＬＥＣＴ＊", "é" * 5000, "中" * 10_000, "Приве́т ми́р", "𠀋𠀎", "\ud7ff\ue000",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gives_a_query_postgresql_accepts(text):
    q = query(text)
    doc = document(text, text, text)
    assert "\x00" not in q
    assert len(q) < 20_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsquery('simple', %s), to_tsvector('simple', %s)", [q, doc])
        cursor.fetchone()
