"""Search, compare and a price-drop alert across three shops (issue 5's journey).

Three shops sell the same phone (one brand and model, in one platform category) at different
prices and shipping fees, and one of them also sells another phone. A signed-in shopper searches
the mall, narrows the results to the brand with its facet, follows "Compare prices across shops"
to the mall product page and sees every shop's offer sorted by what it costs delivered to the
shopper's default address; puts both phones in the compare list and sees them side by side with
the differing spec rows highlighted; subscribes to a price alert below the lowest price. The
merchant of one shop then lowers the price below the target in the shop console's SKU grid, and
the alert arrives: in the mall's header and notifications page, and as an e-mail through a real
SMTP server.

Arrangement (the real paths, not the journey): the operator adds the platform category with its
typed attributes (taxonomy services); each merchant adds a warehouse, stock and an express
freight template and creates the product in the shop API, the operator approves it in the
moderation API and the merchant puts it on sale (`ShopDesk`, the route search's own tests use),
so the offers reach the mall's index through the outbox. Grouping is then run once
(`comparison.services.group_offers`; the beat does it every 10 s in production). The shopper's
default address is added with the accounts service.

Language: both browsers use the language switch's cookie for English, so the pages read in their
source messages (Chinese is the default and is tested elsewhere); the e-mail is written in the
mall's default language, so only its amounts, shop name and link are asserted.

Asynchronous work: tests run Celery eagerly, so the merchant's save drains the outbox, records the
price and fires the alert before the console answers; the checks still poll with a deadline
(`eventually`, `reload_until`) so that a slower path is waited for, not raced.

Money (shipping to 深圳市南山区 440305, express, one piece):
    Alpha ¥6,499.00 + free   = ¥6,499.00   (cheapest delivered)
    Beta  ¥6,479.00 + ¥25.00 = ¥6,504.00   (cheapest price, not cheapest delivered)
    Gamma ¥6,599.00 + ¥10.00 = ¥6,609.00
    Target ¥6,300.00 (below the lowest price ¥6,479.00); Alpha drops to ¥6,299.00.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from playwright.sync_api import expect

from shared_apps.accounts import services as accounts
from shared_apps.comparison import services as comparison
from shared_apps.comparison.models import GroupMember
from shared_apps.search import text
from shared_apps.taxonomy import services as taxonomy
from shared_apps.taxonomy.models import Category
from tests.conftest import provision
from tests.e2e.browsing import (
    click_and_wait,
    eventually,
    reload_until,
    sign_in,
)
from tests.factories import UserFactory
from tests.shared_apps.search.conftest import ShopDesk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOP_A, SHOP_B, SHOP_C = "Alpha 商店", "Beta 商店", "Gamma 商店"
MATE = "华为 HUAWEI Mate 60 Pro 12GB+512GB 雅川青 5G手机"
XIAOMI = "小米 Xiaomi 14 Ultra 16GB+512GB 黑色 5G手机"
HIGHLIGHT = "rgb(255, 251, 230)"  # mall.css: table.diff tr.changed td
NANSHAN = {"province_code": "440000", "city_code": "440300", "district_code": "440305"}


@pytest.fixture
def gamma():
    owner = UserFactory(email="owner@gamma.example", display_name="Merchant C")
    return provision(owner, "gamma", SHOP_C, "伽马贸易有限公司")


@pytest.fixture
def drop_shop_schemas(shop_a, shop_b, gamma):
    """Flushing the database empties the public tables only: drop the shops' schemas."""
    yield
    text.dictionary_reset()
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for shop in (shop_a, shop_b, gamma):
            cursor.execute(f'DROP SCHEMA IF EXISTS "{shop.schema_name}" CASCADE')


# --- arrangement -------------------------------------------------------------------------------


class Merchant(ShopDesk):
    """A merchant's shop API (and the operator's moderation API, through `ShopDesk`), with real
    commits: the test runs in transaction mode, so after-commit work runs as in production."""

    def __init__(self, shop, operator):
        super().__init__(shop, shop.owner, operator, contextlib.nullcontext)
        self.warehouse = None

    def api(self, path: str, data: dict) -> dict:
        return self._call(self.merchant, "post", path, data)

    def open_shop(self, *, first_price: str) -> None:
        """A warehouse that sells online and an express template (one piece, no more per piece)."""
        self.warehouse = self.api("/api/v1/shop/inventory/locations/",
                                  {"name": "Main warehouse", "code": "WH-MAIN"})["id"]
        self.api("/api/v1/shop/freight/templates/", {
            "name": "Express", "method": "express", "first_units": 1, "first_price": first_price,
            "additional_units": 1, "additional_price": "0.00"})

    def phone(self, *, title: str, price: str, category_id: int, brand: str, model: str,
              attributes: dict) -> tuple[int, int, str]:
        """A phone created, stocked, approved and put on sale: (product id, SKU id, SKU code)."""
        from tests.factories import png_upload

        self.made += 1
        body = self.api(f"{self.API}products/", {
            "title": title, "brand": brand, "model": model, "platform_category_id": category_id,
            "attributes": attributes,
            "skus": [{"code": f"{self.shop.subdomain}-{self.made}", "sale_price": price}]})
        product_id, sku = body["id"], body["skus"][0]
        self._call(self.merchant, "post", f"{self.API}products/{product_id}/images/",
                   {"image": png_upload("p.png", width=300, height=300)}, multipart=True)
        self.api("/api/v1/shop/inventory/adjustments/", {
            "sku_id": sku["id"], "location_id": self.warehouse, "quantity": 20, "reason": "Opening stock",
            "unit_cost": "5000.00"})
        self.submit(product_id)
        self.approve(product_id)
        self.put_on_sale(product_id)
        return product_id, sku["id"], sku["code"]


def phones_category(operator) -> Category:
    """手机 under the 手机数码 business category, with three typed attributes."""
    taxonomy.seed_business_categories()
    digital = Category.objects.get(code="digital")
    phones = taxonomy.category_create(actor=operator, parent_id=digital.pk, code="journey-phones", name="手机",
                                      name_en="Mobile phones")
    for sort, (code, name, name_en, value_type, unit, choices) in enumerate((
            ("storage", "机身存储", "Storage", "integer", "GB", []),
            ("screen_size", "屏幕尺寸", "Screen size", "decimal", "英寸", []),
            ("network", "网络制式", "Network", "choice", "", ["5G", "4G"]))):
        taxonomy.attribute_create(actor=operator, category_id=phones.pk, code=code, data={
            "name": name, "name_en": name_en, "value_type": value_type, "unit": unit, "choices": choices,
            "sort": sort})
    return phones


# --- helpers -----------------------------------------------------------------------------------


def english_context(browser, mall_server, *host_prefixes: str):
    """A browser context that reads English on these hosts (the language switch's cookie), and
    the server errors (5xx answers) it meets."""
    context = browser.new_context(locale="zh-CN")
    context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "en",
                          "url": mall_server(prefix, "/")} for prefix in host_prefixes])
    context.server_errors = []
    context.on("response", lambda r: context.server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return context


def no_error_page(page):
    """The page is the mall's (its header is there), not the server's error page."""
    expect(page.locator("header.topbar")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(re.compile(r"Server Error|\(500\)|服务器错误"))


def group_of(shop, sku_id: int) -> int:
    return GroupMember.objects.get(shop_id=shop.pk, sku_id=sku_id).group_id


# --- the journey -------------------------------------------------------------------------------


def test_search_filter_compare_and_a_price_drop_alert(
    browser, mall_server, settings, smtp, operator, shopper, shop_a, shop_b, gamma, drop_shop_schemas, tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    text.dictionary_reset()  # indexing and querying read the dictionary of this database

    # Arrangement: the category, three shops' offers of one phone, another phone in Beta.
    phones = phones_category(operator)
    mate_attributes = {"storage": 512, "screen_size": "6.82", "network": "5G"}
    alpha, beta, gamma_desk = (Merchant(shop, operator) for shop in (shop_a, shop_b, gamma))
    alpha.open_shop(first_price="0.00")
    beta.open_shop(first_price="25.00")
    gamma_desk.open_shop(first_price="10.00")
    mate = {"title": MATE, "category_id": phones.pk, "brand": "华为", "model": "Mate 60 Pro",
            "attributes": mate_attributes}
    a_product, a_sku, a_code = alpha.phone(price="6499.00", **mate)
    _b_product, b_sku, _b_code = beta.phone(price="6479.00", **mate)
    _c_product, c_sku, _c_code = gamma_desk.phone(price="6599.00", **mate)
    _x_product, x_sku, _x_code = beta.phone(
        title=XIAOMI, price="5999.00", category_id=phones.pk, brand="小米", model="14 Ultra",
        attributes={"storage": 512, "screen_size": "6.73", "network": "5G"})
    accounts.address_create(user=shopper, data={"recipient_name": "张三", "phone": "13800138000",
                                                "detail": "科技园 1 号", **NANSHAN})
    comparison.group_offers()
    mate_group = group_of(shop_a, a_sku)
    assert group_of(shop_b, b_sku) == group_of(gamma, c_sku) == mate_group
    xiaomi_group = group_of(shop_b, x_sku)
    assert xiaomi_group != mate_group

    # 1. The shopper signs in on the mall and searches for phones: four results, two brands.
    shopper_context = english_context(browser, mall_server, "", "alpha")
    buyer = sign_in(shopper_context, lambda path: mall_server("", path), shopper.email, "/")
    search_form = buyer.get_by_role("search")
    search_form.get_by_label("Search every shop").fill("手机")
    click_and_wait(buyer, search_form.get_by_role("button", name="Search"))
    expect(buyer).to_have_url(re.compile(r"/search/\?"))
    assert parse_qs(urlsplit(buyer.url).query)["q"] == ["手机"]
    no_error_page(buyer)
    cards = buyer.locator(".product-card")
    expect(cards).to_have_count(4)
    expect(buyer.get_by_text(re.compile(r"^\s*4 results"))).to_be_visible()
    brands = buyer.locator("aside.facets ul").filter(has=buyer.get_by_role("link", name="小米", exact=True))
    expect(brands.get_by_role("listitem")).to_have_count(2)
    expect(brands.get_by_role("listitem").filter(has_text="华为")).to_contain_text("3")
    expect(brands.get_by_role("listitem").filter(has_text="小米")).to_contain_text("1")

    # 2. The brand facet narrows the results to the three shops' Mate 60 Pro.
    click_and_wait(buyer, brands.get_by_role("link", name="华为", exact=True))
    assert parse_qs(urlsplit(buyer.url).query).get("brand") == ["华为"]
    filtered_url = buyer.url
    expect(cards).to_have_count(3)
    expect(cards.filter(has_text="Mate 60 Pro")).to_have_count(3)
    expect(cards.filter(has_text="Xiaomi")).to_have_count(0)
    expect(buyer.get_by_role("link", name=re.compile(r"Brands: 华为"))).to_be_visible()
    expect(cards.filter(has_text="¥6,479.00")).to_have_count(1)
    expect(cards.filter(has_text="¥6,499.00")).to_have_count(1)
    expect(cards.filter(has_text="¥6,599.00")).to_have_count(1)
    compare_links = buyer.get_by_role("link", name="Compare prices across shops")
    expect(compare_links).to_have_count(3)

    # 3. "Compare prices across shops" leads to the mall product page: every shop's offer,
    # shipped to the shopper's default address, cheapest delivered first (not cheapest price).
    click_and_wait(buyer, compare_links.first)
    expect(buyer).to_have_url(re.compile(rf"/products/{mate_group}/$"))
    no_error_page(buyer)
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Mate 60 Pro")
    expect(buyer.locator("main")).to_contain_text("Lowest price: ¥6,479.00")
    expect(buyer.locator("main")).to_contain_text("Sold by 3 shops")
    expect(buyer.get_by_role("heading", name=re.compile(r"^Shipping to"))).to_contain_text("南山区")
    expect(buyer.get_by_text("Sorted by total cost: price plus the cheapest delivery to your region.")).to_be_visible()
    offers = buyer.locator("table.offers tbody tr")
    expect(offers).to_have_count(3)
    expected = [(SHOP_A, "¥6,499.00", "Free", "¥6,499.00"), (SHOP_B, "¥6,479.00", "¥25.00", "¥6,504.00"),
                (SHOP_C, "¥6,599.00", "¥10.00", "¥6,609.00")]
    for row, (shop, price, shipping, total) in enumerate(expected):
        cells = offers.nth(row).get_by_role("cell")
        expect(cells.nth(0).get_by_role("link")).to_have_text(shop)
        expect(cells.nth(2)).to_have_text(price)
        expect(cells.nth(3)).to_have_text(shipping)
        expect(cells.nth(4)).to_have_text(total)
    expect(offers.first.get_by_role("link", name=SHOP_A)).to_have_attribute(
        "href", re.compile(rf"^http://alpha\.mall\.localhost:\d+/products/{a_product}/$"))

    # 4. Both phones go into the compare list; the compare page shows them side by side, the
    # rows that differ highlighted.
    click_and_wait(buyer, buyer.get_by_role("button", name="Add to compare"))
    expect(buyer.get_by_text("Added to your compare list (1 of 4).")).to_be_visible()
    expect(buyer.get_by_text("In your compare list")).to_be_visible()
    buyer.goto(filtered_url)
    click_and_wait(buyer, buyer.get_by_role("link", name=re.compile(r"Brands: 华为")))
    expect(cards).to_have_count(4)
    click_and_wait(buyer, buyer.locator(".product-card:has-text('Xiaomi') + a.compare-link"))
    expect(buyer).to_have_url(re.compile(rf"/products/{xiaomi_group}/$"))
    no_error_page(buyer)
    expect(buyer.get_by_role("heading", level=1)).to_contain_text("Xiaomi 14 Ultra")
    click_and_wait(buyer, buyer.get_by_role("button", name="Add to compare"))
    expect(buyer.get_by_text("Added to your compare list (2 of 4).")).to_be_visible()
    click_and_wait(buyer, buyer.get_by_role("link", name="Compare list (2 of 4)"))
    expect(buyer).to_have_url(re.compile(r"/compare/$"))
    no_error_page(buyer)
    expect(buyer.get_by_role("heading", level=1)).to_have_text("Compare products")
    table = buyer.locator("table.compare")
    expect(table.locator("thead th a")).to_have_text([re.compile("Mate 60 Pro"), re.compile("Xiaomi 14 Ultra")])

    def spec_row(label: str):
        return table.locator("tbody tr").filter(has=buyer.get_by_role("rowheader", name=re.compile(rf"^{label}")))

    expect(spec_row("Lowest price").get_by_role("cell")).to_have_text(["¥6,479.00", "¥5,999.00"])
    expect(spec_row("Shops").get_by_role("cell")).to_have_text(["3", "1"])
    expect(spec_row("Screen size").get_by_role("cell")).to_have_text(["6.82 英寸", "6.73 英寸"])
    expect(spec_row("Screen size")).to_have_class(re.compile(r"\bchanged\b"))
    # Highlighted for the eye (the stylesheet's tint) and for screen readers (a hidden "differs").
    expect(spec_row("Screen size").get_by_role("cell").first).to_have_css("background-color", HIGHLIGHT)
    expect(spec_row("Screen size").get_by_role("rowheader")).to_contain_text("(differs)")
    expect(spec_row("Storage").get_by_role("cell").first).not_to_have_css("background-color", HIGHLIGHT)
    expect(spec_row("Storage").get_by_role("cell")).to_have_text(["512 GB", "512 GB"])
    expect(spec_row("Storage")).not_to_have_class(re.compile(r"\bchanged\b"))
    expect(spec_row("Network").get_by_role("cell")).to_have_text(["5G", "5G"])
    expect(spec_row("Network")).not_to_have_class(re.compile(r"\bchanged\b"))
    expect(table.locator("tbody tr.changed")).to_have_count(1)

    # 5. Back on the Mate's page, a price alert: a target at the lowest price is refused with the
    # reason; one below it is set.
    click_and_wait(buyer, table.locator("thead th a").first)
    expect(buyer).to_have_url(re.compile(rf"/products/{mate_group}/$"))
    alert_box = buyer.locator("section").filter(has=buyer.get_by_role("heading", name="Price-drop alert"))
    target = alert_box.get_by_label("Tell me when the price is at most (¥)")
    target.fill("6479")
    click_and_wait(buyer, alert_box.get_by_role("button", name="Notify me"))
    expect(alert_box).to_contain_text("The lowest price is already ¥6,479.00; choose a lower target.")
    alert_box.get_by_label("Tell me when the price is at most (¥)").fill("6300")
    click_and_wait(buyer, alert_box.get_by_role("button", name="Notify me"))
    expect(buyer).to_have_url(re.compile(rf"/products/{mate_group}/$"))
    expect(buyer.get_by_text("We will tell you when the price reaches ¥6,300.00.")).to_be_visible()
    expect(alert_box).to_contain_text("You are watching for ¥6,300.00 or less.")
    header = buyer.locator("header .userbox")
    expect(header.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # nothing unread
    assert not [m for m in smtp.messages if shopper.email in m["To"]]

    # 6. Alpha's merchant lowers the price below the target in the shop console's SKU grid.
    merchant_context = english_context(browser, mall_server, "alpha")
    console = sign_in(merchant_context, lambda path: mall_server("alpha", path), shop_a.owner.email,
                      f"/console/catalog/{a_product}/")
    no_error_page(console)
    sku_row = console.get_by_role("row").filter(has=console.locator(f"input[name=sku_code][value='{a_code}']"))
    price_box = sku_row.locator("input[name=sku_sale_price]")
    expect(price_box).to_have_value("6499.00")
    price_box.fill("6299.00")
    click_and_wait(console, console.get_by_role("button", name="Save SKUs"))
    expect(console.get_by_text("The SKUs were saved.")).to_be_visible()
    expect(sku_row.locator("input[name=sku_sale_price]")).to_have_value("6299.00")

    # 7. The alert arrives: an e-mail through the SMTP server ...
    mail = eventually(lambda: next((m for m in smtp.messages if shopper.email in m["To"]), None),
                      "the price-drop e-mail")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "¥6,299.00" in mail["Subject"]
    assert SHOP_A in body and "¥6,299.00" in body and "¥6,300.00" in body
    assert re.search(rf"http://mall\.localhost:\d+/products/{mate_group}/", body), body
    assert len([m for m in smtp.messages if shopper.email in m["To"]]) == 1

    # ... and in the mall: the header counts one unread notification, the notifications page
    # says what happened, and "Open" leads to the product page, now led by Alpha's new price.
    buyer.goto(mall_server("", "/notifications/"))
    unread_badge = header.get_by_role("link", name=re.compile(r"^Notifications")).locator(".badge")
    reload_until(buyer, unread_badge, 1)
    expect(unread_badge).to_have_text("1")
    notices = buyer.locator("ul.notifications > li")
    expect(notices).to_have_count(1)
    expect(notices.first).to_contain_text(re.compile(
        r"Mate 60 Pro.* is now ¥6,299\.00 at Alpha 商店 \(your target: ¥6,300\.00\)\."))
    expect(notices.first).to_have_class(re.compile(r"\bunread\b"))
    click_and_wait(buyer, notices.first.get_by_role("button", name="Open"))
    expect(buyer).to_have_url(re.compile(rf"/products/{mate_group}/$"))
    no_error_page(buyer)
    expect(unread_badge).to_have_count(0)
    expect(buyer.locator("main")).to_contain_text("Lowest price: ¥6,299.00")
    first = offers.first.get_by_role("cell")
    expect(first.nth(0).get_by_role("link")).to_have_text(SHOP_A)
    expect(first.nth(2)).to_have_text("¥6,299.00")
    expect(first.nth(4)).to_have_text("¥6,299.00")
    expect(alert_box).to_contain_text("Your alert fired at ¥6,299.00.")

    # No page along the way answered with a server error.
    assert shopper_context.server_errors == [] and merchant_context.server_errors == []
    shopper_context.close()
    merchant_context.close()
