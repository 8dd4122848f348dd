"""Search relevance on a fixed realistic catalog (tests/shared_apps/search/catalog.py): what a
shopper types (an exact title, a brand in Chinese or English, a model number with or without its
hyphen, a synonym, a typo in Latin or in pinyin, Chinese and English mixed) finds the products
meant, in the first N, and not obviously wrong ones; zero hits offer a correction that finds them;
facets count exactly; filters, sorts and pages are right; bad input on the API is a 200 with sane
results or a 400 naming the parameter, never a 500.

Everything goes through the public entry points (`query.search` and GET /api/v1/search/), never the
engine's internals, so the engine can change underneath while these expectations hold. Expected
sets come from the catalog's data (who sells what, at what price), not from the engine's output.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

import pytest

from shared_apps.search import query
from shared_apps.search.models import OfferDoc
from shared_apps.search.synonym_services import synonym_group_create
from tests.conftest import MALL, client_for

from .catalog import BY_KEY, OFFERS, VISIBLE, listed_at

pytestmark = pytest.mark.django_db
API = "/api/v1/search/"


# --- helpers --------------------------------------------------------------------------------------


def ranked(catalog, n: int = 10, **params) -> list[str]:
    """The catalog keys of the first `n` hits, best first."""
    return [catalog.key(h) for h in query.search(per_page=n, **params).hits]


def every_hit(catalog, **params) -> list[str]:
    """The keys of every hit, page by page (60 a page), checking that pages neither repeat nor
    skip an offer and that their number adds up to the total."""
    found, page = [], 1
    while True:
        results = query.search(per_page=60, page=page, **params)
        found += [catalog.key(h) for h in results.hits]
        if len(results.hits) < 60:
            break
        page += 1
    assert len(found) == len(set(found)), f"an offer on two pages: {Counter(found).most_common(3)}"
    assert len(found) == results.total, (len(found), results.total)
    return found


def names_brand(offer, names: tuple[str, ...]) -> bool:
    """The offer names the brand (any of its names) in its title or brand field; a Latin name as a
    whole word (GREE is not in UGREEN)."""
    title, brand = offer.title.casefold(), offer.brand.casefold()
    for name in (n.casefold() for n in names):
        pattern = rf"(?<![a-z]){re.escape(name)}(?![a-z])" if name.isascii() else re.escape(name)
        if name == brand or re.search(pattern, title):
            return True
    return False


def keys_where(predicate, offers=VISIBLE) -> set[str]:
    return {o.key for o in offers if predicate(o)}


def in_category(catalog, offer, code: str) -> bool:
    """The offer's category is `code` or below it."""
    category = catalog.categories[offer.category]
    target = catalog.categories[code].pk
    while category is not None:
        if category.pk == target:
            return True
        category = category.parent
    return False


def assert_top(catalog, words: str, expected: list[str], n: int, wrong: list[str] = ()) -> None:
    top_n = ranked(catalog, n=max(n, 10), q=words)
    missing = [k for k in expected if k not in top_n[:n]]
    assert not missing, f"{words!r}: {missing} not in the top {n}: {top_n[:n]}"
    shown = [k for k in wrong if k in top_n[:10]]
    assert not shown, f"{words!r}: obviously wrong {shown} in the top 10: {top_n}"


# --- exact titles and product names ----------------------------------------------------------------

# (what the shopper types, expected keys, within the top N, obviously wrong keys absent from the top 10)
TITLES = [
    ("Apple iPhone 15 Pro Max 256GB 原色钛金属 5G手机", ["iphone15promax@shuma"], 1,
     ["iphonecase@shuma", "iphonefilm@baihuo", "iphone15@shuma"]),
    ("华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 5G手机", ["mate60pro@shuma"], 1,
     ["mate60case@baihuo", "pura70ultra@shuma", "freebudspro3@baihuo"]),
    ("小米 Redmi Note 13 Pro 8GB+256GB 子夜黑 2亿像素", ["redminote13pro@baihuo"], 1, ["redmi13c@baihuo"]),
    ("戴森 Dyson V12 Detect Slim 无绳吸尘器 激光探测 家用", ["dysonv12@jiadian"], 1,
     ["dreamev12@baihuo", "dysonv8@baihuo", "supersonic@jiadian"]),
    ("耐克 Nike Air Force 1 '07 男子运动鞋 空军一号 白色 CW2288-111", ["af1@chaopai"], 1, ["aj1low@chaopai"]),
    ("SK-II 神仙水 230ml 护肤精华露 补水保湿", ["sk2essence@meizhuang"], 1, ["sk2cream@meizhuang"]),
    ("联想 ThinkPad X1 Carbon 2024 14英寸 Ultra7 32G 1T 商务轻薄笔记本电脑", ["x1carbon@shuma"], 1, ["t14p@shuma"]),
    ("美的 Midea 变频空调 KFR-35GW/N8MXC1 1.5匹 新一级能效 冷暖挂机", ["midea35gw@jiadian"], 1, ["midea26gw@jiadian"]),
    ("三只松鼠 坚果大礼包 1.5kg 每日坚果 零食礼盒 年货送礼", ["squirrelgift@lingshi"], 1, ["squirrelmacadamia@lingshi"]),
    ("三体 全集 刘慈欣 科幻小说 典藏版 套装3册", ["threebody@shuxiang"], 1, ["tolive@shuxiang"]),
    ("Python编程 从入门到实践 第3版 Python Crash Course", ["pythoncrash@shuxiang"], 1, ["csapp@shuxiang"]),
    ("乐高 LEGO 42115 兰博基尼 Sián FKP 37 机械组 拼装积木", ["lego42115@shuxiang"], 1, ["lego10497@shuxiang"]),
    ("哈利·波特与魔法石 J.K.罗琳 人民文学出版社", ["harrypotter@shuxiang"], 1, ["redmansion@shuxiang"]),
    ("雅诗兰黛 Estee Lauder 小棕瓶 特润修护肌活精华露 50ml", ["esteelauder@meizhuang"], 1, ["esteedw@meizhuang"]),
]

# Shorter names of a product: every shop's offer of it comes first.
NAMES = [
    ("戴森 Dyson V12 Detect Slim 无绳吸尘器", ["dysonv12@jiadian", "dysonv12@baihuo", "dysonv12@shuma"], 3,
     ["dysonv15@jiadian", "dysonv8@baihuo", "dreamev12@baihuo"]),
    ("美的 Midea 变频空调 KFR-35GW", ["midea35gw@jiadian", "midea35gw@baihuo", "midea35gw@shuma"], 3,
     ["gree35gw@jiadian", "haier35gw@jiadian", "midea26gw@jiadian"]),
    ("三只松鼠 坚果大礼包", ["squirrelgift@lingshi", "squirrelgift@baihuo", "squirrelgift@shuma"], 3,
     ["bestorenuts@lingshi", "weilong@lingshi"]),
    ("小米 Redmi Note 13 Pro", ["redminote13pro@baihuo"], 1, ["redmi13c@baihuo", "xiaomi14pro@shuma"]),
    ("Redmi Note 13 Pro", ["redminote13pro@baihuo", "redminote13pro@shuma", "redminote13pro@jiadian"], 3,
     ["redmi13c@baihuo", "redmik70@jiadian"]),
    ("联想 ThinkPad X1 Carbon", ["x1carbon@shuma"], 1, ["t14p@shuma", "y9000p@shuma"]),
    ("thinkpad x1 carbon", ["x1carbon@shuma", "x1carbon@jiadian"], 2, ["t14p@shuma"]),
    ("SK-II 神仙水", ["sk2essence@meizhuang", "sk2essence@baihuo"], 2, ["sk2cream@meizhuang", "lancome@meizhuang"]),
    ("Nike Air Force 1", ["af1@chaopai", "af1@shuma"], 2, ["aj1low@chaopai", "pegasus40@chaopai"]),
    ("三体 刘慈欣", ["threebody@shuxiang", "threebody@baihuo"], 2, ["tolive@shuxiang"]),
    ("活着 余华", ["tolive@shuxiang", "tolive@baihuo"], 2, ["threebody@shuxiang"]),
    ("AirPods Pro 2", ["airpodspro2@shuma", "airpodspro2@baihuo", "airpodspro2@jiadian"], 3, ["airpods3@jiadian"]),
    ("ipad air", ["ipadairm2@shuma"], 1, ["ipad10@baihuo", "macbookairm3@shuma"]),
    ("apple watch", ["watchs9@shuma"], 1, ["watchgt4@shuma"]),
    ("小米手环", ["band8pro@baihuo"], 1, ["watchgt4@shuma"]),
    ("特仑苏 纯牛奶", ["telunsu@lingshi", "telunsu@baihuo"], 2, ["yilijindian@lingshi", "ambrosial@lingshi"]),
]


@pytest.mark.parametrize(("words", "expected", "n", "wrong"), TITLES, ids=[t[0][:30] for t in TITLES])
def test_an_exact_title_finds_its_offer_first(catalog, words, expected, n, wrong):
    assert_top(catalog, words, expected, n, wrong)


@pytest.mark.parametrize(("words", "expected", "n", "wrong"), NAMES, ids=[t[0] for t in NAMES])
def test_a_product_name_finds_every_shops_offer_of_it(catalog, words, expected, n, wrong):
    assert_top(catalog, words, expected, n, wrong)


# --- brands in Chinese and in English ----------------------------------------------------------------

BRANDS = [
    ("华为", "huawei", "HUAWEI"), ("苹果", "apple", "Apple"), ("戴森", "dyson", "DYSON"), ("耐克", "nike", "Nike"),
    ("小米", "xiaomi", "Xiaomi"), ("联想", "lenovo", "Lenovo"), ("索尼", "sony", "SONY"), ("三星", "samsung", "Samsung"),
    ("美的", "midea", "Midea"), ("格力", "gree", "GREE"), ("乐高", "lego", "LEGO"), ("阿迪达斯", "adidas", "Adidas"),
    ("匡威", "converse", "Converse"), ("科沃斯", "ecovacs", "ECOVACS"), ("膳魔师", "thermos", "Thermos"),
    ("迪奥", "dior", "DIOR"),
]


@pytest.mark.parametrize("names", BRANDS, ids=[b[1] for b in BRANDS])
def test_a_brand_in_either_language_finds_exactly_the_offers_that_name_it(catalog, names):
    found = [set(every_hit(catalog, q=name)) for name in names]
    assert found[0] == found[1] == found[2], {n: sorted(f ^ found[0]) for n, f in zip(names, found, strict=True)}
    expected = keys_where(lambda o: names_brand(o, names))
    assert expected, "the catalog sells this brand"
    assert found[0] - keys_where(lambda o: names_brand(o, names), OFFERS) == set(), "hits that do not name the brand"
    assert expected - found[0] == set(), "offers naming the brand that were not found"


# --- model numbers -------------------------------------------------------------------------------------

AC_35GW = ["midea35gw@jiadian", "midea35gw@baihuo", "midea35gw@shuma", "gree35gw@jiadian", "haier35gw@jiadian",
           "mijia35gw@baihuo"]
MATE60 = ["mate60pro@shuma", "mate60pro@baihuo", "mate60pro@jiadian", "mate60pro@shuma2", "mate60@jiadian",
          "mate60rs@shuma"]
MODELS = [
    ("KFR-35GW", AC_35GW, 10, ["midea26gw@jiadian", "gree72lw@jiadian", "aux25gw@baihuo", "gree26gw@baihuo"]),
    ("kfr35gw", AC_35GW, 10, ["midea26gw@jiadian", "gree72lw@jiadian", "aux25gw@baihuo"]),
    ("美的 KFR-35GW", ["midea35gw@jiadian", "midea35gw@baihuo", "midea35gw@shuma"], 3,
     ["gree35gw@jiadian", "haier35gw@jiadian", "mijia35gw@baihuo"]),
    ("KFR-35GW/N8MXC1", ["midea35gw@jiadian", "midea35gw@shuma"], 2, ["gree35gw@jiadian", "midea35gw@baihuo"]),
    ("V12", ["dysonv12@jiadian", "dysonv12@baihuo", "dysonv12@shuma", "dreamev12@baihuo"], 5,
     ["dysonv15@jiadian", "dysonv8@baihuo", "dysonv10@baihuo"]),
    ("戴森 V12", ["dysonv12@jiadian", "dysonv12@baihuo", "dysonv12@shuma"], 3, ["dreamev12@baihuo", "dysonv15@jiadian"]),
    ("mate60", MATE60, 10, ["pura70ultra@shuma", "nova12pro@shuma", "matepadpro@shuma", "matebook14@baihuo"]),
    ("mate 60", MATE60, 10, ["pura70ultra@shuma", "nova12pro@shuma", "matepadpro@shuma", "matebook14@baihuo"]),
    ("Mate60 Pro", ["mate60pro@shuma", "mate60pro@baihuo", "mate60pro@jiadian", "mate60pro@shuma2"], 5,
     ["mate60@jiadian", "pura70ultra@shuma"]),
    ("WH-1000XM5", ["wh1000xm5@shuma", "wh1000xm5@jiadian"], 2, ["wf1000xm5@shuma", "airpodspro2@shuma"]),
    ("wh1000xm5", ["wh1000xm5@shuma", "wh1000xm5@jiadian"], 2, ["wf1000xm5@shuma"]),
    ("CW2288-111", ["af1@chaopai", "af1@baihuo", "af1@shuma"], 4, ["aj1low@chaopai", "pegasus40@chaopai"]),
    ("42115", ["lego42115@shuxiang"], 1, ["lego10497@shuxiang", "lego60337@baihuo"]),
    ("Y9000P", ["y9000p@shuma", "y9000p@baihuo"], 2, ["t14p@shuma", "omen10@jiadian"]),
    ("ILCE-7M4", ["a7m4@shuma"], 1, ["eosr6@jiadian"]),
    ("a7m4", ["a7m4@shuma"], 1, ["eosr6@jiadian"]),
    ("RTX4070", ["y9000p@baihuo", "omen10@jiadian", "rogzephyrus@shuma"], 3, ["y9000p@shuma", "mechrevo@baihuo"]),
    ("rtx 4070", ["y9000p@baihuo", "omen10@jiadian", "rogzephyrus@shuma"], 3, ["y9000p@shuma", "mechrevo@baihuo"]),
    ("i9-14900HX", ["y9000p@shuma"], 1, ["y9000p@baihuo"]),
    ("65E3K", ["hisense65e3k@jiadian", "hisense65e3k@baihuo"], 2, ["sonyx90l@jiadian"]),
    ("MX Master 3S", ["mxmaster3s@shuma", "mxmaster3s@baihuo"], 2, ["g502@baihuo"]),
    ("SM-SA48", ["zojirushi@baihuo"], 1, ["thermos@baihuo"]),
]


@pytest.mark.parametrize(("words", "expected", "n", "wrong"), MODELS, ids=[m[0] for m in MODELS])
def test_a_model_number_finds_its_products(catalog, words, expected, n, wrong):
    assert_top(catalog, words, expected, n, wrong)


@pytest.mark.parametrize("spellings", [("mate60", "mate 60", "Mate60", "MATE 60", "mate-60", "ｍａｔｅ６０"),
                                       ("KFR-35GW", "kfr35gw", "KFR 35GW", "kfr-35gw"),
                                       ("WH-1000XM5", "wh1000xm5", "WH 1000XM5")])
def test_a_model_number_spelt_any_way_finds_the_same_offers(catalog, spellings):
    found = {s: set(every_hit(catalog, q=s)) for s in spellings}
    first = found[spellings[0]]
    assert first and all(f == first for f in found.values()), {s: sorted(f ^ first) for s, f in found.items()}


# --- synonyms ------------------------------------------------------------------------------------------


@pytest.fixture
def synonyms(catalog, django_capture_on_commit_callbacks):
    """The operators' groups of the issue, made by the operators' service: 手机 ↔ 电话;
    苹果 ↔ Apple ↔ iPhone."""
    with django_capture_on_commit_callbacks(execute=True):
        for terms in (["手机", "电话"], ["苹果", "Apple", "iPhone"]):
            synonym_group_create(terms=terms, actor=catalog.operator)


def test_synonyms_find_the_same_offers(catalog, synonyms):
    assert set(every_hit(catalog, q="电话")) == set(every_hit(catalog, q="手机"))
    apple = set(every_hit(catalog, q="苹果"))
    assert apple == set(every_hit(catalog, q="apple")) == set(every_hit(catalog, q="iPhone"))
    assert {"iphone15promax@shuma", "macbookairm3@shuma", "airpodspro2@baihuo", "ipad10@baihuo"} <= apple
    assert set(every_hit(catalog, q="华为 电话")) == set(every_hit(catalog, q="华为 手机"))


SYNONYM_CASES = [
    ("华为 电话", ["mate60pro@shuma"], 3, ["iphone15promax@shuma", "xiaomi14pro@shuma", "iphonecase@shuma"]),
    ("苹果手机", ["iphone15promax@shuma", "iphone15@shuma", "iphone15pro@shuma"], 5,
     ["mate60pro@shuma", "xiaomi14pro@shuma", "mate60case@baihuo"]),
    ("iphone 15", ["iphone15@shuma", "iphone15@baihuo"], 5, ["iphone14@jiadian", "iphone13@baihuo"]),
    ("苹果 15", ["iphone15@shuma", "iphone15@baihuo"], 5, ["iphone14@jiadian", "iphone13@baihuo"]),
    # iPads are 平板电脑 (tablet computers): they share the word, so the top 6 holds both MacBooks.
    ("苹果 电脑", ["macbookairm3@shuma", "macbookpro14@shuma"], 6, ["x1carbon@shuma", "matebookxpro@shuma"]),
]


@pytest.mark.parametrize(("words", "expected", "n", "wrong"), SYNONYM_CASES, ids=[s[0] for s in SYNONYM_CASES])
def test_a_synonym_finds_the_products_meant(catalog, synonyms, words, expected, n, wrong):
    assert_top(catalog, words, expected, n, wrong)


# --- category words ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("words", "code"), [("手机", "rel-phones"), ("笔记本电脑", "rel-laptops"),
                                             ("空调", "rel-aircon"), ("运动鞋", "rel-sneakers"),
                                             ("游戏本", "rel-gaming-laptops")])
def test_a_category_word_finds_every_offer_of_the_category(catalog, words, code):
    """A shopper typing 手机 means every phone, whether or not its title says 手机."""
    expected = keys_where(lambda o: in_category(catalog, o, code))
    missing = expected - set(every_hit(catalog, q=words))
    assert not missing, f"{words!r} misses {len(missing)} of {len(expected)}: {sorted(missing)}"


def test_brand_and_category_words_together(catalog):
    huawei_phones = keys_where(lambda o: o.category == "rel-phones" and names_brand(o, ("华为", "huawei")))
    found = every_hit(catalog, q="华为手机")
    assert huawei_phones - set(found) == set(), sorted(huawei_phones - set(found))
    assert [k for k in found[:10] if not names_brand(BY_KEY[k], ("华为", "huawei"))] == []


# --- typos: the correction offered finds the product ----------------------------------------------------

TYPOS = [
    # Latin
    ("iphnoe", "iphone", ["iphone15promax@shuma", "iphone15@shuma"], 10),
    ("thinkpda", "thinkpad", ["x1carbon@shuma", "x1carbon@jiadian", "t14p@shuma"], 3),
    ("samsumg", "samsung", ["s24ultra@jiadian", "zflip5@shuma"], 10),
    ("macbok", "macbook", ["macbookairm3@shuma", "macbookpro14@shuma"], 10),
    ("dysn", "dyson", ["dysonv12@jiadian", "dysonv15@jiadian"], 10),
    ("addidas", "adidas", ["ultraboost@chaopai", "samba@chaopai"], 3),
    ("iphnoe 15 pro", "iphone 15 pro", ["iphone15pro@shuma", "iphone15pro@baihuo"], 10),
    # pinyin of a Chinese brand, whole, misspelt, or a wrong character of the same sound
    ("huawie", "华为", ["mate60pro@shuma"], 10),
    ("daisen", "戴森", ["dysonv12@jiadian", "dysonv15@jiadian"], 10),
    ("geli", "格力", ["gree35gw@jiadian", "gree72lw@jiadian"], 3),
    ("sanzhisongshu", "三只松鼠", ["squirrelgift@lingshi", "squirrelmacadamia@lingshi"], 4),
    ("meidi kongtiao", "美的空调", ["midea35gw@jiadian", "midea26gw@jiadian"], 6),
    ("华伪", "华为", ["mate60pro@shuma"], 10),
    ("kuangwei", "匡威", ["converse@baihuo"], 1),
    ("tianke", "添可", ["tinecofloor@baihuo"], 1),
    ("xinbailun", "新百伦", ["nb990@chaopai", "nb574@chaopai"], 2),
    ("paopaomate", "泡泡玛特", ["popmart@shuxiang"], 1),
    ("yuanqisenlin", "元气森林", ["yuanqi@lingshi"], 1),
    ("shanmoshi", "膳魔师", ["thermos@baihuo"], 1),
]


@pytest.mark.parametrize(("typed", "correction", "expected", "n"), TYPOS, ids=[t[0] for t in TYPOS])
def test_a_typo_gets_a_correction_that_finds_the_product(catalog, typed, correction, expected, n):
    results = query.search(q=typed)
    assert results.total == 0 and results.did_you_mean[:1] == [correction], (results.total, results.did_you_mean)
    assert_top(catalog, results.did_you_mean[0], expected, n)
    related = [catalog.key(h) for h in results.related]  # no dead end: the products meant, at once
    assert set(expected) & set(related), related


def test_nothing_to_correct_gives_no_suggestion(catalog):
    results = query.search(q="qqqqzzzz")
    assert (results.total, results.hits, results.did_you_mean) == (0, [], [])


def test_the_api_and_page_offer_the_correction(catalog):
    body = client_for(MALL).get(API, {"q": "thinkpda"}).json()
    assert (body["total"], body["did_you_mean"][:1]) == (0, ["thinkpad"])
    page = client_for(MALL).get("/search/", {"q": "daisen"})
    assert page.status_code == 200 and "Did you mean" in page.content.decode() and "戴森" in page.content.decode()


# --- Chinese and English mixed -------------------------------------------------------------------------

MIXED = [
    ("苹果 15 pro 256g", ["iphone15pro@shuma", "iphone15pro@baihuo"], 5,
     ["iphone15pro128@jiadian", "iphone15@shuma", "iphonecase@shuma"]),
    ("华为 mate60 pro 512g", ["mate60pro@shuma", "mate60pro@jiadian"], 3, ["mate60pro@baihuo", "mate60case@baihuo"]),
    ("华为mate60pro", ["mate60pro@shuma", "mate60pro@baihuo", "mate60pro@jiadian", "mate60pro@shuma2"], 5,
     ["pura70ultra@shuma", "mate60@jiadian"]),
    ("小米14pro", ["xiaomi14pro@shuma"], 1, ["xiaomi14@baihuo", "redmik70@jiadian"]),
    ("iphone15 pro max", ["iphone15promax@shuma", "iphone15promax@jiadian", "iphone15promax@baihuo"], 3,
     ["iphone15pro@shuma", "iphone15@shuma"]),  # the phones before a case for them
    ("dyson吸尘器", ["dysonv12@jiadian", "dysonv12@baihuo", "dysonv12@shuma", "dysonv15@jiadian", "dysonv8@baihuo",
                   "dysonv10@baihuo"], 7, ["supersonic@jiadian", "dreamev12@baihuo", "mijiavacuum@baihuo"]),
    ("耐克 air force 1", ["af1@chaopai", "af1@shuma"], 3, ["aj1low@chaopai", "pegasus40@chaopai"]),
    ("sony 降噪耳机", ["wh1000xm5@shuma", "wh1000xm5@jiadian", "wf1000xm5@shuma"], 3,
     ["airpodspro2@shuma", "freebudspro3@shuma", "boseqc@jiadian"]),
    ("lego 机械组", ["lego42115@shuxiang"], 1, ["lego10497@shuxiang"]),
    ("SK-II 大红瓶", ["sk2cream@meizhuang"], 1, ["sk2essence@meizhuang"]),
    ("美的 1.5匹 空调", ["midea35gw@jiadian", "midea35gw@baihuo", "midea35gw@shuma"], 3,
     ["gree35gw@jiadian", "midea26gw@jiadian"]),
]


@pytest.mark.parametrize(("words", "expected", "n", "wrong"), MIXED, ids=[m[0] for m in MIXED])
def test_chinese_and_english_mixed(catalog, words, expected, n, wrong):
    assert_top(catalog, words, expected, n, wrong)


# --- facets -------------------------------------------------------------------------------------------


def _true_facets(catalog, keys: set[str]) -> tuple[dict, dict]:
    offers = [BY_KEY[k] for k in keys]
    categories = Counter(str(catalog.categories[o.category].pk) for o in offers)
    brands = Counter(o.brand for o in offers if o.brand)
    return dict(categories), dict(brands)


def _assert_facets(shown, true: dict, params: dict) -> None:
    """Each value shown counts exactly; with 20 values or fewer all are shown, else the biggest."""
    counts = {f.value: f.count for f in shown}
    assert len(counts) == len(shown), (params, "a value shown twice")
    wrong = {v: (c, true.get(v)) for v, c in counts.items() if true.get(v) != c}
    assert not wrong, f"{params}: shown count vs true count: {wrong}"
    if len(true) <= 20:
        assert set(counts) == set(true), (params, sorted(set(true) ^ set(counts)))
    else:
        hidden = [c for v, c in true.items() if v not in counts]
        assert len(counts) >= 10 and min(counts.values()) >= max(hidden), (params, "a bigger value hidden")


def _facet_cases(catalog):
    huawei = ("华为", "huawei")
    return [
        ({}, {o.key for o in VISIBLE}),
        ({"category_id": catalog.categories["digital"].pk}, keys_where(lambda o: in_category(catalog, o, "digital"))),
        ({"category_id": catalog.categories["appliances"].pk},
         keys_where(lambda o: in_category(catalog, o, "appliances"))),
        ({"q": "戴森"}, keys_where(lambda o: names_brand(o, ("戴森", "dyson")))),
        ({"q": "华为"}, keys_where(lambda o: names_brand(o, huawei))),
        ({"q": "nike"}, keys_where(lambda o: names_brand(o, ("耐克", "nike")))),
        ({"brand": "华为"}, keys_where(lambda o: o.brand in ("华为", "HUAWEI"))),
        ({"q": "华为", "category_id": catalog.categories["rel-phones"].pk},
         keys_where(lambda o: o.category == "rel-phones" and names_brand(o, huawei))),
        ({"shop_id": catalog.shops["baihuo"].pk, "in_stock": True},
         keys_where(lambda o: o.shop == "baihuo" and o.in_stock)),
    ]


def test_facets_count_exactly_on_a_small_catalog(catalog):
    for params, keys in _facet_cases(catalog):
        results = query.search(**params)
        categories, brands = _true_facets(catalog, keys)
        assert (results.total, results.estimated) == (len(keys), False), (params, results.total, len(keys))
        _assert_facets(results.categories, categories, params)
        _assert_facets(results.brands, brands, params)


# --- filters ------------------------------------------------------------------------------------------


def _filter_cases(catalog):
    cat = catalog.categories
    return [
        ({"price_min": "1000", "price_max": "3000"}, lambda o: Decimal(1000) <= o.price <= Decimal(3000)),
        ({"price_min": "2999"}, lambda o: o.price >= Decimal(2999)),
        ({"price_max": "19.00"}, lambda o: o.price <= Decimal(19)),
        ({"shop_id": catalog.shops["baihuo"].pk}, lambda o: o.shop == "baihuo"),
        ({"shop_id": catalog.shops["lingshi"].pk}, lambda o: o.shop == "lingshi"),
        ({"in_stock": True}, lambda o: o.in_stock),
        ({"category_id": cat["apparel"].pk}, lambda o: in_category(catalog, o, "apparel")),  # three levels
        ({"category_id": cat["rel-shoes"].pk}, lambda o: o.category in ("rel-sneakers", "rel-casual-shoes")),
        ({"category_id": cat["rel-laptops"].pk}, lambda o: o.category in ("rel-laptops", "rel-gaming-laptops")),
        ({"category_id": cat["rel-gaming-laptops"].pk}, lambda o: o.category == "rel-gaming-laptops"),
        ({"brand": "huawei"}, lambda o: o.brand in ("华为", "HUAWEI")),
        ({"brand": "Nike"}, lambda o: o.brand in ("耐克", "NIKE", "Nike")),
        ({"brand": "红米"}, lambda o: o.brand in ("Redmi", "红米")),
        ({"q": "华为", "category_id": cat["rel-phones"].pk, "price_max": "6000", "in_stock": True},
         lambda o: o.category == "rel-phones" and names_brand(o, ("华为", "huawei")) and o.price <= 6000 and o.in_stock),
        ({"q": "降噪耳机", "shop_id": catalog.shops["shuma"].pk},
         lambda o: o.shop == "shuma" and o.category == "rel-earphones" and "降噪" in o.title),
    ]


def test_filters_narrow_to_exactly_the_matching_offers(catalog):
    for params, predicate in _filter_cases(catalog):
        found = set(every_hit(catalog, **params))
        expected = keys_where(predicate)
        assert expected, params
        assert found == expected, (params, sorted(found - expected), sorted(expected - found))


def test_a_brand_filter_names_the_brand_either_way(catalog):
    assert set(every_hit(catalog, brand="华为")) == set(every_hit(catalog, brand="HUAWEI"))
    assert set(every_hit(catalog, brand="苹果")) == set(every_hit(catalog, brand="apple"))


# --- sorts --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("params", [{}, {"q": "华为"}, {"category_id": "digital"}, {"q": "空调", "in_stock": True}],
                         ids=["all", "huawei", "digital", "aircon-in-stock"])
def test_sorts_really_order_every_page(catalog, params):
    if params.get("category_id"):
        params = {**params, "category_id": catalog.categories[params["category_id"]].pk}
    offers = {sort: [BY_KEY[k] for k in every_hit(catalog, sort=sort, **params)]
              for sort in ("price_asc", "price_desc", "sales", "newest")}
    prices = [o.price for o in offers["price_asc"]]
    assert prices == sorted(prices)
    prices = [o.price for o in offers["price_desc"]]
    assert prices == sorted(prices, reverse=True)
    sales = [o.sales for o in offers["sales"]]
    assert sales == sorted(sales, reverse=True)
    times = [listed_at(o) for o in offers["newest"]]
    assert times == sorted(times, reverse=True)
    assert len({tuple(sorted(o.key for o in v)) for v in offers.values()}) == 1, "every sort shows the same offers"


def test_the_first_hit_of_each_sort_is_the_true_first(catalog):
    def first(sort: str):
        return BY_KEY[ranked(catalog, 1, sort=sort)[0]]

    assert first("price_asc").price == min(o.price for o in VISIBLE)
    assert first("price_desc").price == max(o.price for o in VISIBLE)
    assert first("sales").sales == max(o.sales for o in VISIBLE)
    assert listed_at(first("newest")) == max(listed_at(o) for o in VISIBLE)


# --- pages --------------------------------------------------------------------------------------------


def test_pages_cover_every_match_once_and_past_the_end_is_empty(catalog):
    dyson = keys_where(lambda o: names_brand(o, ("戴森", "dyson")))
    pages = [query.search(q="戴森", per_page=3, page=page) for page in (1, 2, 3, 4, 5)]
    seen = [catalog.key(h) for p in pages for h in p.hits]
    assert set(seen) == dyson and len(seen) == len(dyson)
    assert [len(p.hits) for p in pages] == [3, 3, len(dyson) - 6, 0, 0]
    assert {p.total for p in pages} == {len(dyson)}
    body = client_for(MALL).get(API, {"q": "戴森", "page": 50}).json()
    assert (body["hits"], body["total"], body["page"]) == ([], len(dyson), 50)


# --- bad input on the API: a 200 with sane results or a 400 naming the parameter, never a 500 ---------

SANE_OR_NAMED = [
    ({"q": ""}, "q"),
    ({"q": "华为 Mate 60 Pro 雅川青 " * 12}, "q"),  # over 200 characters
    ({"q": "x" * 5000}, "q"),
    ({"q": "😀🔥🎉"}, "q"),
    ({"q": "🇨🇳👍🏻"}, "q"),
    ({"q": "' OR 1=1 --"}, "q"),
    ({"q": "'; DROP TABLE search_offerdoc; --"}, "q"),
    ({"q": "华为\x00手机"}, "q"),
    ({"q": "!&|():*<->"}, "q"),
    ({"category": "999999999"}, "category"),
    ({"category": "abc"}, "category"),
    ({"category": "-1"}, "category"),
    ({"brand": "不存在的牌子"}, "brand"),
    ({"brand": "' OR 1=1 --"}, "brand"),
    ({"shop": "999999999"}, "shop"),
    ({"shop": "beta"}, "shop"),
    ({"price_min": "5000", "price_max": "100"}, "price_max"),
    ({"price_min": "abc"}, "price_min"),
    ({"price_min": "-5"}, "price_min"),
    ({"price_max": "1e9999"}, "price_max"),
    ({"page": "10000"}, "page"),
    ({"page": "-1"}, "page"),
    ({"page": "0"}, "page"),
    ({"page": "1.5"}, "page"),
    ({"per_page": "1000000"}, "per_page"),
    ({"per_page": "0"}, "per_page"),
    ({"sort": "price; DROP TABLE x"}, "sort"),
    ({"in_stock": "maybe"}, "in_stock"),
]


@pytest.mark.parametrize(("params", "name"), SANE_OR_NAMED, ids=[repr(p)[:40] for p, _ in SANE_OR_NAMED])
def test_bad_input_on_the_api_is_a_sane_200_or_a_400_naming_it(catalog, params, name):
    documents = OfferDoc.objects.count()
    answer = client_for(MALL).get(API, params)
    assert answer.status_code in (200, 400), answer.status_code
    body = answer.json()
    if answer.status_code == 400:
        assert name in body["error"]["fields"], body
        return
    assert len(body["hits"]) <= 100 and body["total"] <= len(VISIBLE)
    assert body["page"] >= 1 and body["per_page"] >= 1
    if int(params.get("page", "1").split(".")[0]) > 20:
        assert body["hits"] == [], "a page past the end is empty"
    assert all(catalog.key(h) in BY_KEY for h in body["hits"])
    assert OfferDoc.objects.count() == documents  # nothing written, nothing dropped
    words = params.get("q", "")
    if words and not any(c.isalnum() for c in words.replace("\x00", "")):
        assert body["total"] == 0, "a query of no words matches nothing"
    if words.startswith(("'", "x" * 10)):
        assert body["total"] < len(VISIBLE), "a hostile query must not match everything"
    if params.get("brand") or params.get("shop") or params.get("category"):
        assert body["total"] == 0, "an unknown filter value matches nothing"


def test_the_search_page_never_fails_on_bad_input(catalog):
    for params, name in SANE_OR_NAMED:
        page = client_for(MALL).get("/search/", params)
        assert page.status_code in (200, 400), (params, page.status_code)
        if page.status_code == 400:
            assert 'role="alert"' in page.content.decode(), params  # the page says what is wrong
