"""Reading collected files (信息处理单元): CSV, JSON and saved web pages with schema.org Product.

Every reader turns a file into `ParsedRow`s: a row number as the file counts it, the values under
our field names (`FIELDS`), the record as the file had it (`raw`), and problems found while
reading that row. Checking the values (prices, GTINs, dates) is `imports.clean_row`'s business.
A file that cannot be read at all raises `Unreadable` with a message for the operator.

- CSV: UTF-8 with or without BOM, else GBK/GB18030 (what Excel saves on Chinese Windows); a header
  row in English or Chinese (标题, 品牌, 型号, 价格, 销量, 条码 …, see `FIELD_NAMES`); comma,
  semicolon or tab separated. The header is row 1.
- JSON: an array of objects, or {"items": [...]}; keys as in a CSV header, or schema.org Product
  objects. Items count from 1.
- HTML: schema.org Product as JSON-LD (`<script type="application/ld+json">`, with @graph, and
  offers as an object, an array or an AggregateOffer with lowPrice) or as microdata (itemscope,
  itemtype schema.org/Product, itemprop name, brand, gtin13, sku, offers, price,
  priceCurrency …). Products count from 1 in the order the page has them; a product given both
  ways is read once. Nothing is fetched from the network.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import Any

from django.utils.translation import gettext as _

FIELDS = ("external_id", "url", "title", "brand", "model", "gtin", "category", "price", "currency",
          "sales_count", "seller", "collected_at")
REQUIRED = ("title", "price")

# Header names (and JSON keys) of each field, folded (see `fold_name`): English and Chinese.
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "external_id": ("externalid", "id", "itemid", "productid", "sku", "skuid", "goodsid", "offerid",
                    "商品id", "宝贝id", "商品编号", "编号", "外部编号", "sku编号"),
    "url": ("url", "link", "producturl", "itemurl", "href", "链接", "商品链接", "网址", "地址"),
    "title": ("title", "name", "productname", "itemname", "goodsname", "标题", "商品名称", "商品标题",
              "名称", "品名", "商品"),
    "brand": ("brand", "brandname", "品牌", "品牌名称"),
    "model": ("model", "modelnumber", "mpn", "型号", "规格型号", "商品型号"),
    "gtin": ("gtin", "gtin13", "gtin14", "gtin12", "gtin8", "ean", "ean13", "upc", "barcode", "条码",
             "条形码", "商品条码", "国际条码"),
    "category": ("category", "categoryname", "categorycode", "类目", "分类", "品类", "商品分类", "商品类目"),
    "price": ("price", "saleprice", "currentprice", "价格", "售价", "单价", "现价", "到手价", "商品价格"),
    "currency": ("currency", "pricecurrency", "币种", "货币"),
    "sales_count": ("sales", "salescount", "sold", "soldcount", "monthlysales", "销量", "月销量", "销售量",
                    "已售", "成交量"),
    "seller": ("seller", "sellername", "shop", "shopname", "store", "storename", "店铺", "店铺名称", "卖家",
               "商家", "店名"),
    "collected_at": ("collectedat", "collected", "collectedon", "date", "datecollected", "采集时间",
                     "采集日期", "日期", "时间"),
}
_FIELD_OF = {name: fieldname for fieldname, names in FIELD_NAMES.items() for name in names}
_NAME_FOLD = re.compile(r"[\s_\-.:：()（）]+")

RAW_TEXT_LIMIT = 1000  # characters kept of each text in `raw` (a page's descriptions can be long)
RAW_ITEMS_LIMIT = 50  # items kept of each list in `raw`


class Unreadable(Exception):
    """The file as a whole cannot be read; the message says why, for the operator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TooManyRows(Unreadable):
    pass


@dataclass
class ParsedRow:
    row: int
    values: dict[str, Any]
    raw: Any
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)


def fold_name(name: str) -> str:
    return _NAME_FOLD.sub("", str(name).strip().lstrip("\ufeff").casefold())


def field_for(name: str) -> str | None:
    return _FIELD_OF.get(fold_name(name))


# --- bytes to text -----------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """The text of a file: UTF-8 (a BOM is dropped), else GB18030 (a superset of GBK). Binary data
    (NUL bytes) or text in neither encoding is `Unreadable`."""
    if b"\x00" in data[:65536]:
        raise Unreadable(_("This is not a text file (CSV, JSON or HTML)."))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Unreadable(_("The file is neither UTF-8 nor GBK text."))


_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html|<head|<body|<!--|<meta|<script|<div|<\?xml)", re.IGNORECASE)


def detect_format(data: bytes) -> str | None:
    """"csv", "json" or "html" judged by the content, or None for what is none of them (binary
    data, an image, an empty file)."""
    try:
        text = decode(data[:65536] if len(data) > 65536 else data)
    except Unreadable:
        # A multi-byte character cut at 64 KiB: judge by the whole file.
        try:
            text = decode(data)
        except Unreadable:
            return None
    head = text.lstrip()[:2048]
    if not head:
        return None
    if head[0] in "[{":
        return "json"
    if _HTML_START.match(head) or re.search(r"<(html|body|script)[\s>]", head, re.IGNORECASE):
        return "html"
    if any(ord(c) < 32 and c not in "\t\r\n" for c in head):
        return None
    return "csv"


def parse(data: bytes, fmt: str, *, max_rows: int) -> list[ParsedRow]:
    """The rows of a file in format `fmt`; `Unreadable` (or `TooManyRows` past `max_rows`)."""
    text = decode(data)
    if not text.strip():
        raise Unreadable(_("The file is empty."))
    reader = {"csv": parse_csv, "json": parse_json, "html": parse_html}[fmt]
    return reader(text, max_rows=max_rows)


def _too_many(max_rows: int) -> TooManyRows:
    return TooManyRows(_("The file has more than %(n)s rows; split it into smaller files.") % {"n": f"{max_rows:,}"})


# --- CSV ---------------------------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def parse_csv(text: str, *, max_rows: int) -> list[ParsedRow]:
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=_delimiter(first_line))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise Unreadable(_("The file has no header row."))
        columns: dict[str, int] = {}
        for index, name in enumerate(header):
            fieldname = field_for(name)
            if fieldname is None:
                continue
            if fieldname in columns:
                raise Unreadable(_("Two columns mean %(field)s: %(a)s and %(b)s.") % {
                    "field": fieldname, "a": header[columns[fieldname]].strip(), "b": name.strip()})
            columns[fieldname] = index
        missing = [f for f in REQUIRED if f not in columns]
        if missing:
            raise Unreadable(_("Missing required columns: %(cols)s. The header row needs a title (标题) and a "
                               "price (价格) column.") % {"cols": ", ".join(missing)})
        rows: list[ParsedRow] = []
        for number, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            if len(rows) >= max_rows:
                raise _too_many(max_rows)
            values = {f: (record[i].strip() if i < len(record) else "") for f, i in columns.items()}
            raw = {(header[i].strip() or f"column {i + 1}"): _raw(cell)
                   for i, cell in enumerate(record[:len(header)]) if cell.strip()}
            rows.append(ParsedRow(number, values, raw))
    except csv.Error as exc:
        raise Unreadable(_("The CSV could not be read near line %(line)s: %(why)s") % {
            "line": reader.line_num, "why": exc}) from exc
    return rows


# --- JSON --------------------------------------------------------------------------------------


def parse_json(text: str, *, max_rows: int) -> list[ParsedRow]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(_("The JSON could not be read (line %(line)s, column %(col)s): %(why)s") % {
            "line": exc.lineno, "col": exc.colno, "why": exc.msg}) from exc
    except RecursionError as exc:
        raise Unreadable(_("The JSON is nested too deeply.")) from exc
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        items = document["items"]
    elif isinstance(document, list):
        items = document
    elif isinstance(document, dict) and (products := _products_in(document)):
        items = products  # one schema.org document (@graph, ItemList, a Product)
    else:
        raise Unreadable(_('A JSON file holds an array of products, or {"items": [...]}.'))
    if len(items) > max_rows:
        raise _too_many(max_rows)
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            rows.append(ParsedRow(number, {}, _raw(item), [("item", _("Each item must be an object."))]))
        elif _is_product(item) or "offers" in item:
            rows.append(ParsedRow(number, product_values(item), _raw(item)))
        else:
            rows.append(ParsedRow(number, _mapped(item), _raw(item)))
    return rows


def _mapped(record: dict) -> dict[str, Any]:
    """A flat record's values under our field names (the first key naming a field wins)."""
    values: dict[str, Any] = {}
    for key, value in record.items():
        fieldname = field_for(key)
        if fieldname and fieldname not in values:
            values[fieldname] = _name_of(value) if isinstance(value, dict | list) else value
    return values


# --- schema.org Product (JSON-LD, and what microdata reads into) --------------------------------


def _types(node: dict) -> list[str]:
    kind = node.get("@type", node.get("type", []))
    kinds = kind if isinstance(kind, list) else [kind]
    return [str(k).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for k in kinds]


def _is_product(node: Any) -> bool:
    return isinstance(node, dict) and any(t in ("Product", "IndividualProduct", "ProductModel") for t in _types(node))


def _products_in(node: Any, depth: int = 0) -> list[dict]:
    """Product nodes anywhere in a JSON-LD document (@graph, ItemList elements, a page's
    mainEntity …), in document order; a Product's own children are not searched."""
    if depth > 20:
        return []
    if _is_product(node):
        return [node]
    found: list[dict] = []
    if isinstance(node, list):
        for item in node:
            found.extend(_products_in(item, depth + 1))
    elif isinstance(node, dict):
        for value in node.values():
            if isinstance(value, dict | list):
                found.extend(_products_in(value, depth + 1))
    return found


def _name_of(value: Any) -> Any:
    """A text out of a schema.org value: a Brand/Organization/Thing's name, a list's first."""
    if isinstance(value, list):
        return _name_of(value[0]) if value else ""
    if isinstance(value, dict):
        for key in ("name", "@value", "value", "@id"):
            if key in value:
                return _name_of(value[key])
        return ""
    return value


def _first(node: dict, *keys: str) -> Any:
    for key in keys:
        value = node.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _offer_price(offer: dict) -> tuple[Any, Any]:
    """(price, currency) of an Offer or AggregateOffer (lowPrice first)."""
    spec = offer.get("priceSpecification")
    if isinstance(spec, list):
        spec = spec[0] if spec else None
    price = _first(offer, "lowPrice", "price")
    currency = _first(offer, "priceCurrency")
    if price is None and isinstance(spec, dict):
        price, currency = _first(spec, "price", "minPrice"), currency or _first(spec, "priceCurrency")
    return _name_of(price), _name_of(currency)


def _price_key(pair: tuple[Any, Any]) -> tuple[int, Decimal]:
    """Order offers: in CNY (or no currency) first, then the lowest price."""
    price, currency = pair
    in_cny = str(currency or "CNY").strip().upper() in ("CNY", "RMB")
    try:
        amount = Decimal(str(price).replace(",", "").strip().lstrip("¥￥"))
    except (InvalidOperation, ValueError):
        amount = Decimal("Infinity")
    return (0 if in_cny else 1, amount if amount.is_finite() else Decimal("Infinity"))


def _best_offer(offers: Any) -> dict | None:
    """The offer to take the price from: an AggregateOffer as it is (lowPrice), of several
    offers the lowest in CNY."""
    if isinstance(offers, dict):
        inner = offers.get("offers")
        if "AggregateOffer" in _types(offers) and _first(offers, "lowPrice", "price") is None and inner:
            return _best_offer(inner)
        return offers
    if isinstance(offers, list):
        candidates = [o for o in offers if isinstance(o, dict)]
        if not candidates:
            return None
        return min(candidates, key=lambda o: _price_key(_offer_price(o)))
    return None


def product_values(node: dict) -> dict[str, Any]:
    """A schema.org Product's values under our field names."""
    offer = _best_offer(node.get("offers")) or {}
    price, currency = _offer_price(offer) if offer else (None, None)
    seller = _first(offer, "seller", "offeredBy") if offer else None
    values = {
        "external_id": _name_of(_first(node, "sku", "productID", "productId")),
        "url": _name_of(_first(node, "url") or (_first(offer, "url") if offer else None) or
                        (node.get("@id") if str(node.get("@id", "")).startswith("http") else None)),
        "title": _name_of(_first(node, "name")),
        "brand": _name_of(_first(node, "brand", "manufacturer")),
        "model": _name_of(_first(node, "model", "mpn")),
        "gtin": _name_of(_first(node, "gtin13", "gtin", "gtin14", "gtin12", "gtin8", "ean")),
        "category": _category(node.get("category")),
        "price": price,
        "currency": currency,
        "seller": _name_of(seller if seller is not None else _first(node, "seller")),
    }
    # Sales and collection time are not schema.org's; take them when a source adds them.
    extra = _mapped({k: v for k, v in node.items() if not k.startswith("@")})
    for name in ("sales_count", "collected_at"):
        if name in extra:
            values[name] = extra[name]
    return {k: v for k, v in values.items() if v not in (None, "")}


def _category(value: Any) -> Any:
    if isinstance(value, list):  # a breadcrumb: the most specific last
        names = [str(_name_of(v)).strip() for v in value if str(_name_of(v)).strip()]
        return names[-1] if names else None
    return _name_of(value)


def _raw(value: Any, depth: int = 0) -> Any:
    """What to keep of the source's record: JSON-safe, long texts and lists cut."""
    if depth > 8:
        return None
    if isinstance(value, dict):
        return {str(k)[:100]: _raw(v, depth + 1) for k, v in list(value.items())[:RAW_ITEMS_LIMIT]}
    if isinstance(value, list):
        return [_raw(v, depth + 1) for v in value[:RAW_ITEMS_LIMIT]]
    if isinstance(value, str):
        return value[:RAW_TEXT_LIMIT]
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:RAW_TEXT_LIMIT]


# --- HTML --------------------------------------------------------------------------------------

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
# Where a microdata property's value is an attribute, not the text (the microdata spec, 5.4).
_VALUE_ATTRIBUTE = {"meta": "content", "audio": "src", "embed": "src", "iframe": "src", "img": "src",
                    "source": "src", "track": "src", "video": "src", "a": "href", "area": "href", "link": "href",
                    "object": "data", "data": "value", "meter": "value", "time": "datetime"}


@dataclass
class _Item:
    types: list[str]
    props: dict[str, list[Any]] = field(default_factory=dict)

    def add(self, name: str, value: Any) -> None:
        self.props.setdefault(name, []).append(value)

    def as_node(self) -> dict:
        """The item as a JSON-LD-like dict, so one reader serves both."""
        node: dict[str, Any] = {"@type": [t.rsplit("/", 1)[-1] for t in self.types] or ["Thing"]}
        for name, values in self.props.items():
            converted = [v.as_node() if isinstance(v, _Item) else v for v in values]
            node[name] = converted[0] if len(converted) == 1 else converted
        return node


@dataclass
class _Open:
    tag: str
    item: _Item | None = None  # an itemscope opened here
    capture: tuple[_Item, list[str]] | None = None  # (item, prop names) whose value is this text
    text: list[str] = field(default_factory=list)


class _PageReader(HTMLParser):
    """One pass over a page: JSON-LD script blocks and microdata items, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.items: list[_Item] = []  # open itemscopes, innermost last
        self.found: list[tuple[str, Any]] = []  # ("jsonld", text) | ("microdata", _Item), in order
        self.script: list[str] | None = None
        self.skipping = ""

    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): (value if value is not None else "") for name, value in attrs}
        if tag in ("script", "style"):
            kind = attributes.get("type", "").split(";")[0].strip().lower()
            if tag == "script" and kind == "application/ld+json":
                self.script = []
            else:
                self.skipping = tag  # code and styles are no property's text
            return
        props = attributes.get("itemprop", "").split()
        owner = self.items[-1] if self.items else None
        opened: _Open | None = None if tag in _VOID else _Open(tag)
        if "itemscope" in attributes:
            item = _Item(attributes.get("itemtype", "").split())
            if props and owner is not None:
                for name in props:
                    owner.add(name, item)
            elif owner is None:
                self.found.append(("microdata", item))
            if opened is not None:
                opened.item = item
                self.items.append(item)
        elif props and owner is not None:
            value_attribute = "content" if "content" in attributes else _VALUE_ATTRIBUTE.get(tag)
            if value_attribute is not None:
                for name in props:
                    owner.add(name, attributes.get(value_attribute, "").strip())
            elif opened is not None:
                opened.capture = (owner, props)
        if opened is not None:
            self.stack.append(opened)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1].tag == tag:
            self._close(self.stack.pop())

    def handle_data(self, data):
        if self.script is not None:
            self.script.append(data)
            return
        if self.skipping:
            return
        for element in self.stack:
            if element.capture is not None:
                element.text.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            self.found.append(("jsonld", "".join(self.script)))
            self.script = None
            return
        if tag == self.skipping:
            self.skipping = ""
            return
        if not any(element.tag == tag for element in self.stack):
            return  # a stray end tag
        while self.stack:
            element = self.stack.pop()
            self._close(element)
            if element.tag == tag:
                break

    def _close(self, element: _Open) -> None:
        if element.capture is not None:
            owner, names = element.capture
            text = " ".join("".join(element.text).split())
            for name in names:
                owner.add(name, text)
        if element.item is not None and self.items and self.items[-1] is element.item:
            self.items.pop()

    def close(self):
        super().close()
        if self.script is not None:  # a script never closed
            self.found.append(("jsonld", "".join(self.script)))
            self.script = None
        while self.stack:
            self._close(self.stack.pop())


def _microdata_products(item: _Item) -> list[dict]:
    if any(t.rsplit("/", 1)[-1] in ("Product", "IndividualProduct", "ProductModel") for t in item.types):
        return [item.as_node()]
    found = []
    for values in item.props.values():
        for value in values:
            if isinstance(value, _Item):
                found.extend(_microdata_products(value))
    return found


def _identity(values: dict) -> tuple:
    return tuple(str(values.get(k, "")).strip().casefold() for k in ("external_id", "url", "title"))


def parse_html(text: str, *, max_rows: int) -> list[ParsedRow]:
    reader = _PageReader()
    try:
        reader.feed(text)
        reader.close()
    except (AssertionError, ValueError) as exc:  # html.parser gives up only on very broken markup
        raise Unreadable(_("The web page could not be read: %(why)s") % {"why": exc}) from exc
    rows: list[ParsedRow] = []
    seen: set[tuple] = set()
    microdata: list[dict] = []
    for kind, content in reader.found:
        if kind == "microdata":
            microdata.extend(_microdata_products(content))
            continue
        if not content.strip():
            continue
        try:
            document = json.loads(content)
        except (json.JSONDecodeError, RecursionError) as exc:
            why = exc.msg if isinstance(exc, json.JSONDecodeError) else _("nested too deeply")
            rows.append(ParsedRow(len(rows) + 1, {}, {"json-ld": content[:RAW_TEXT_LIMIT]},
                                  [("json-ld", _("A JSON-LD block could not be read: %(why)s") % {"why": why})]))
            continue
        for node in _products_in(document):
            values = product_values(node)
            seen.add(_identity(values))
            rows.append(ParsedRow(len(rows) + 1, values, _raw(node)))
            if len(rows) > max_rows:
                raise _too_many(max_rows)
    for node in microdata:
        values = product_values(node)
        if _identity(values) in seen:
            continue  # the same product as the page's JSON-LD gives it
        rows.append(ParsedRow(len(rows) + 1, values, _raw(node)))
        if len(rows) > max_rows:
            raise _too_many(max_rows)
    if not rows:
        raise Unreadable(_("The page has no schema.org Product (neither JSON-LD nor microdata)."))
    return rows
