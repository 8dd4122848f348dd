"""Reading collected files (the processing unit): real CSV, GBK CSV, JSON and saved web pages with
schema.org Product in JSON-LD and microdata; what a row's values become; unreadable files."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shared_apps.collection import imports, parsers

from .conftest import read

SHANGHAI = ZoneInfo("Asia/Shanghai")


def rows(name: str, *, max_rows: int = 100):
    data = read(name)
    return parsers.parse(data, parsers.detect_format(data), max_rows=max_rows)


def test_formats_are_told_by_content_not_by_name():
    assert [parsers.detect_format(read(n)) for n in ("jd_phones.csv", "gbk_prices.csv", "items.json",
                                                     "broken.json", "product_jsonld.html",
                                                     "product_microdata.html")] == [
        "csv", "csv", "json", "json", "html", "html"]
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40)
    assert parsers.detect_format(png) is None
    assert parsers.detect_format(b"   \n ") is None
    assert parsers.detect_format("\ufeff标题,价格\n手机,1\n".encode()) == "csv"


def test_csv_with_chinese_headers_and_a_bom():
    parsed = rows("jd_phones.csv")
    assert [r.row for r in parsed] == list(range(2, 12))  # the header is row 1
    first = parsed[0]
    assert first.values == {
        "external_id": "JD-1001", "title": "华为 Mate 60 Pro 12+512GB 雅川青", "brand": "华为", "model": "Mate60 Pro",
        "gtin": "6901234567892", "category": "手机", "price": "6,799.00", "sales_count": "1.2万+",
        "seller": "华为京东自营旗舰店", "url": "https://item.example.com/1001.html",
        "collected_at": "2024-05-01 10:00"}
    assert first.raw["商品ID"] == "JD-1001" and first.raw["价格"] == "6,799.00"


def test_gbk_csv_is_read_as_chinese():
    parsed = rows("gbk_prices.csv")
    assert [r.values["title"] for r in parsed] == ["华为 Mate 60 Pro 12+512GB 雅丹黑", "苹果 iPhone 15 128GB 蓝色",
                                                   "格力 KFR-35GW 空调"]
    assert parsed[1].values["sales_count"] == "3千" and parsed[1].values["seller"] == "苹果授权专卖店"


def test_json_items_with_english_keys_and_a_non_object():
    parsed = rows("items.json")
    assert [r.row for r in parsed] == [1, 2, 3, 4, 5]
    assert parsed[0].values["price"] == 6599 and parsed[0].values["sales_count"] == "2.5万+"
    assert parsed[1].values["brand"] == "Apple"  # a schema.org Brand object's name
    assert parsed[3].problems == [("item", "Each item must be an object.")]
    # A bare array works as well as {"items": [...]}.
    bare = parsers.parse(b'[{"title": "A", "price": "1.00"}]', "json", max_rows=10)
    assert bare[0].values == {"title": "A", "price": "1.00"}


def test_json_ld_graph_offers_and_aggregate_offer():
    parsed = rows("product_jsonld.html")
    mate, buds, broken, airpods = parsed
    assert mate.values == {
        "external_id": "SN-88", "url": "https://shop.example.com/p/88", "title": "华为 Mate 60 Pro 12GB+512GB 雅川青",
        "brand": "华为", "model": "Mate 60 Pro", "gtin": "6901234567892", "category": "手机数码 > 手机",
        "price": "6749.00", "currency": "CNY", "seller": "第三方卖家"}  # the lowest offer in CNY
    assert (buds.values["price"], buds.values["currency"]) == (1199, "CNY")  # AggregateOffer lowPrice
    assert broken.values == {} and broken.problems[0][0] == "json-ld"
    assert "could not be read" in broken.problems[0][1]
    assert airpods.values["currency"] == "USD"


def test_microdata_with_nested_brand_offer_and_seller():
    parsed = rows("product_microdata.html")
    assert [r.values for r in parsed] == [
        {"external_id": "GM-15-128", "url": "https://www.example.com/item/GM-15-128.html",
         "title": "Apple iPhone 15 (A3092) 128GB 粉色", "brand": "Apple", "model": "iPhone 15", "category": "手机",
         "price": "5649.00", "currency": "CNY", "seller": "国美自营"},
        {"external_id": "GM-V12", "title": "戴森 V12 Detect Slim 无绳吸尘器", "brand": "戴森", "gtin": "5025155071953",
         "price": "¥4,490.00", "currency": "CNY"},
        {"title": "小米 电视 S Pro 65英寸", "price": "面议"}]


def test_a_product_in_both_json_ld_and_microdata_is_read_once():
    page = """<html><head><script type="application/ld+json">
    {"@context": "https://schema.org", "@type": "Product", "name": "Kindle", "sku": "K1",
     "offers": {"@type": "Offer", "price": "998", "priceCurrency": "CNY"}}</script></head>
    <body><div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Kindle</span>
    <meta itemprop="sku" content="K1"><div itemprop="offers" itemscope itemtype="https://schema.org/Offer">
    <meta itemprop="price" content="998"></div></div>
    <div itemscope itemtype="https://schema.org/Product"><span itemprop="name">Kobo</span>
    <meta itemprop="sku" content="B2"><span itemprop="offers" itemscope itemtype="https://schema.org/Offer">
    <span itemprop="price">899</span></span></div></body></html>"""
    parsed = parsers.parse(page.encode(), "html", max_rows=10)
    assert [(r.values["title"], r.values["price"]) for r in parsed] == [("Kindle", "998"), ("Kobo", "899")]


@pytest.mark.parametrize(("data", "fmt", "message"), [
    (read("broken.json"), "json", "The JSON could not be read (line 3, column 56)"),
    (b'{"products": 3}', "json", 'A JSON file holds an array of products, or {"items": [...]}.'),
    ("名称,备注\n手机,x\n".encode(), "csv", "Missing required columns: price."),
    ("标题,title,价格\na,b,1\n".encode(), "csv", "Two columns mean title: 标题 and title."),
    (b"<html><body><p>no products here</p></body></html>", "html",
     "The page has no schema.org Product (neither JSON-LD nor microdata)."),
    (b"\xff\xfe\x00t\x00i", "csv", "This is not a text file (CSV, JSON or HTML)."),
    (b"\n\n", "csv", "The file is empty."),
])
def test_unreadable_files_say_why(data, fmt, message):
    with pytest.raises(parsers.Unreadable) as caught:
        parsers.parse(data, fmt, max_rows=100)
    assert caught.value.message.startswith(message)


def test_row_limit():
    data = ("标题,价格\n" + "".join(f"商品{i},{i + 1}\n" for i in range(5))).encode()
    assert len(parsers.parse(data, "csv", max_rows=5)) == 5
    with pytest.raises(parsers.TooManyRows, match="more than 4 rows"):
        parsers.parse(data, "csv", max_rows=4)
    with pytest.raises(parsers.TooManyRows):
        parsers.parse(b'{"items": [{"title": "a", "price": 1}, {"title": "b", "price": 2}]}', "json", max_rows=1)


@pytest.mark.parametrize(("value", "expected"), [
    ("6,799.00", (Decimal("6799.00"), None, None)), ("¥6999", (Decimal("6999.00"), None, None)),
    ("5999元", (Decimal("5999.00"), None, None)), (1199, (Decimal("1199.00"), None, None)),
    (19.9, (Decimal("19.90"), None, None)), ("US$799", (None, "USD", None)),
    ("abc", (None, None, "Enter a price such as 12.50.")), ("-5", (None, None, "The price must be more than zero.")),
    ("0", (None, None, "The price must be more than zero.")), ("4299.995", (None, None, "At most two decimals (fen).")),
    ("", (None, None, "A price is required.")), ("NaN", (None, None, "Enter a price such as 12.50.")),
    (True, (None, None, "Enter a price such as 12.50.")),
])
def test_prices(value, expected):
    assert imports.clean_price(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("1.2万+", (12000, None)), ("3千", (3000, None)), ("1,200", (1200, None)), (9100, (9100, None)),
    ("", (None, None)), ("2000+人付款", (2000, None)),
    ("-3", (None, "The number of sales cannot be negative.")),
    ("很多", (None, "Enter the number of sales as a whole number.")),
    ("1.5", (None, "Enter the number of sales as a whole number.")),
])
def test_sales_counts(value, expected):
    assert imports.clean_sales(value) == expected


def test_collection_times():
    default = timezone.now()
    assert imports.clean_collected_at("", default=default) == (default, None)
    assert imports.clean_collected_at("2024-05-01 10:00", default=default)[0] == datetime(
        2024, 5, 1, 10, 0, tzinfo=SHANGHAI)
    assert imports.clean_collected_at("2024/05/02", default=default)[0] == datetime(2024, 5, 2, 12, 0, tzinfo=SHANGHAI)
    assert imports.clean_collected_at("2024年5月3日", default=default)[0] == datetime(2024, 5, 3, 12, tzinfo=SHANGHAI)
    assert imports.clean_collected_at("2024-05-08T10:00:00+08:00", default=default)[0] == datetime(
        2024, 5, 8, 2, 0, tzinfo=ZoneInfo("UTC"))
    assert imports.clean_collected_at("2999-01-01", default=default)[1] == "The collection time is in the future."
    assert imports.clean_collected_at("yesterday", default=default)[1].startswith("Enter a date")
    assert imports.clean_collected_at("2024-13-45", default=default)[1].startswith("Enter a date")
