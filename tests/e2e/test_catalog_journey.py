"""A merchant lists a product with variants and images, the operator approves it, the merchant
buys stock with a purchase order received into a warehouse in two deliveries, and the storefront
and the mall show the product in stock (issue 3's journey)."""

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from shared_apps.accounts.models import OperatorRole, User
from shared_apps.taxonomy.models import Category
from tenant_apps.catalog.models import Product
from tenants.services import shop_provision
from tests.e2e.browsing import TIMEOUT, sign_in
from tests.factories import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Journey#Pass2026"
TITLE = "降噪蓝牙耳机 Pro"


@pytest.fixture
def cleanup_schemas():
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 's\\_%'")
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')


def submit(page, selector: str):
    """Click a form's button and wait for the page it leads to (often the same URL)."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()


def row_of(page, code: str):
    """The table row whose cell is exactly this SKU code."""
    return page.get_by_role("row").filter(has=page.get_by_role("cell", name=code, exact=True))


def test_create_review_stock_and_sell_a_product(browser, mall_server, tmp_path, cleanup_schemas):
    User.objects.create_user(
        "ops@example.com", PASSWORD, display_name="Ops", operator_role=OperatorRole.ADMIN
    )
    merchant_user = User.objects.create_user(
        "gadgets@example.com", PASSWORD, display_name="Gadget Owner"
    )
    shop = shop_provision(
        subdomain="gadget-lab", name="Gadget Lab", company_name="Gadget Lab Co", owner=merchant_user
    )
    category, _ = Category.objects.get_or_create(
        code="digital", defaults={"name": "手机数码", "name_en": "Phones & digital"}
    )
    images = []
    for name, colour in (("front.png", "black"), ("back.png", "white")):
        path = tmp_path / name
        path.write_bytes(png_bytes(400, 400, colour))
        images.append(str(path))

    def shop_url(path: str) -> str:
        return mall_server("gadget-lab", path)

    # 1. The merchant signs in on the shop's host and creates a product.
    merchant = browser.new_context(locale="zh-CN")
    page = sign_in(merchant, shop_url, "gadgets@example.com", "/console/catalog/", password=PASSWORD)
    page.click("main a[href='/console/catalog/new/']")
    page.wait_for_url("**/console/catalog/new/")
    page.fill("main input[name=title]", TITLE)
    page.fill("main input[name=brand]", "Gadget Lab")
    page.fill("main input[name=platform_category_id]", str(category.pk))
    page.click("main form:has(input[name=title]) button[type=submit]")
    page.wait_for_url(re.compile(r"/console/catalog/\d+/$"))
    product_id = int(re.search(r"/console/catalog/(\d+)/$", page.url).group(1))
    edit_url = shop_url(f"/console/catalog/{product_id}/")
    assert page.locator("main h1").first.inner_text().startswith(TITLE)

    # 2. Two variants from the generator, with a sale price.
    page.fill("main textarea[name=axes]", "colour: black, white")
    page.fill("main input[name=sale_price]", "199.00")
    submit(page, f"main form[action='/console/catalog/{product_id}/variants/'] button[type=submit]")
    page.wait_for_selector("main input[name=sku_spec][value='colour=black']")
    page.wait_for_selector("main input[name=sku_spec][value='colour=white']")
    with schema_context(shop.schema_name):
        skus = {sku.spec["colour"]: sku for sku in Product.objects.get(pk=product_id).skus.all()}
    assert set(skus) == {"black", "white"}
    assert all(str(sku.sale_price) == "199.00" for sku in skus.values())

    # 3. Two images, then submission for review.
    page.set_input_files("main input[name=image]", images)
    submit(page, f"main form[action='/console/catalog/{product_id}/images/'] button[type=submit]")
    page.wait_for_selector("main figure.doc-preview >> nth=1")
    assert page.locator("main figure.doc-preview").count() == 2
    submit(page, f"main form[action='/console/catalog/{product_id}/submit/'] button[type=submit]")
    page.wait_for_selector("main h1 .badge.pending")

    # 4. The operator approves it in the moderation queue.
    operator = browser.new_context(locale="zh-CN")
    ops = sign_in(operator, lambda path: mall_server("ops", path), "ops@example.com", "/moderation/",
                  password=PASSWORD)
    ops.click(f"main a:has-text('{TITLE}')")
    ops.wait_for_url(re.compile(r"/moderation/\d+/$"))
    ops.click("main form[action$='/approve/'] button[type=submit]")
    ops.wait_for_url(re.compile(r"/moderation/$"))
    with schema_context(shop.schema_name):
        assert Product.objects.get(pk=product_id).status == "approved"

    # 5. The merchant puts it on sale. With no stock anywhere yet, a shopper (signed out, so the
    # page is the one every anonymous visitor gets, and in Chinese) sees both variants out of
    # stock, and the mall (through the offer index) marks the card out of stock.
    page.goto(edit_url)
    submit(page, f"main form[action='/console/catalog/{product_id}/list/'] button[type=submit]")
    page.wait_for_selector("main h1 .badge.listed")
    black, white = skus["black"], skus["white"]
    shopper = browser.new_context(locale="zh-CN").new_page()
    shopper.set_default_timeout(TIMEOUT)
    # Twice, so that a cached copy of this page exists and must give way after the receipts.
    for _visit in range(2):
        shopper.goto(shop_url(f"/products/{product_id}/"))
        for sku in (black, white):
            expect(shopper.locator(f"#offer-{sku.pk} .stock")).to_have_text("缺货")
    shopper.goto(mall_server())
    card = shopper.locator(".product-card", has_text=TITLE)
    expect(card).to_have_count(1)
    expect(card.locator(".badge")).to_have_text("缺货")

    # 6. The console is Chinese by default; the merchant switches it to English, then adds the
    # warehouse the goods will be delivered to.
    page.goto(shop_url("/console/inventory/locations/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("库存地点")
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Locations")
    expect(page.get_by_text("No locations yet.")).to_be_visible()
    page.get_by_label("Kind").select_option(label="Warehouse")
    page.get_by_label("Name", exact=True).fill("Main warehouse")
    page.get_by_label("Code", exact=True).fill("WH-MAIN")
    expect(page.get_by_label("Sells online")).to_be_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("The location was added.")).to_be_visible()
    expect(page.get_by_role("link", name="Main warehouse")).to_be_visible()

    # 7. The shop has no supplier yet: the merchant adds one on the purchasing pages.
    page.goto(shop_url("/console/purchasing/"))
    purchasing_tabs = page.get_by_role("navigation", name="Purchasing")
    purchasing_tabs.get_by_role("link", name="Suppliers").click()
    page.wait_for_url("**/console/purchasing/suppliers/")
    expect(page.get_by_text("No suppliers yet.")).to_be_visible()
    page.get_by_label("Name", exact=True).fill("Shenzhen Acoustics")
    page.get_by_label("Code", exact=True).fill("SZ-AC")
    page.get_by_label("Contact", exact=True).fill("王经理")
    page.get_by_label("Payment terms").fill("30 days net")
    with page.expect_navigation():
        page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("The supplier was added.")).to_be_visible()
    expect(page.get_by_role("link", name="Shenzhen Acoustics")).to_be_visible()

    # 8. A purchase order for both SKUs into the warehouse: 6 black, 4 white.
    purchasing_tabs.get_by_role("link", name="New order").click()
    page.wait_for_url("**/console/purchasing/orders/new/")
    page.get_by_label("Supplier").select_option(label="Shenzhen Acoustics (SZ-AC)")
    page.get_by_label("Deliver to").select_option(label="Main warehouse")
    for row, (sku, quantity, cost) in enumerate(((black, "6", "80.00"), (white, "4", "85.50"))):
        page.get_by_label("SKU code", exact=True).nth(row).fill(sku.code)
        page.get_by_label("Quantity", exact=True).nth(row).fill(quantity)
        page.get_by_label("Unit cost", exact=True).nth(row).fill(cost)
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/console/purchasing/orders/\d+/$"))
    order_url = page.url
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^PO-\d{8}-\d{4} Draft$"))
    number = heading.inner_text().split()[0]
    expect(page.get_by_text(f"Purchase order {number} was created as a draft.")).to_be_visible()
    order_lines = {sku.code: row_of(page, sku.code) for sku in (black, white)}
    expect(order_lines[black.code].get_by_role("cell")).to_have_text(
        [black.code, "6", "¥80.00", "¥480.00", "0", "0"]
    )
    expect(order_lines[white.code].get_by_role("cell")).to_have_text(
        [white.code, "4", "¥85.50", "¥342.00", "0", "0"]
    )

    # 9. Sent to the supplier: the order is now ordered and can be received.
    with page.expect_navigation():
        page.get_by_role("button", name="Send to supplier").click()
    expect(heading).to_have_text(f"{number} Ordered")
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    def receive_form():
        page.get_by_role("link", name="Receive goods").click()
        page.wait_for_url(f"{order_url}receive/")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Receive {number}")
        return {
            sku.code: page.get_by_label(re.compile(rf"^{re.escape(sku.code)} · "))
            for sku in (black, white)
        }

    # 10. The first delivery brings only the black ones: the form is pre-filled with what is
    # outstanding, the merchant clears the white line.
    fields = receive_form()
    expect(fields[black.code]).to_have_value("6")
    expect(fields[white.code]).to_have_value("4")
    fields[white.code].fill("0")
    page.get_by_label("Note", exact=True).fill("First pallet")
    with page.expect_navigation():
        page.get_by_role("button", name="Receive", exact=True).click()
    page.wait_for_url(order_url)
    expect(page.get_by_text("The goods were received.")).to_be_visible()
    expect(heading).to_have_text(f"{number} Partially received")
    expect(order_lines[black.code].get_by_role("cell").nth(4)).to_have_text("6")
    expect(order_lines[white.code].get_by_role("cell").nth(4)).to_have_text("0")

    # The stock page: 6 black on hand and available in the warehouse, no white yet
    # (columns: SKU, location, on hand, reserved, available).
    page.goto(shop_url("/console/inventory/stock/"))
    expect(row_of(page, black.code).get_by_role("cell")).to_have_text(
        [black.code, "Main warehouse", "6", "0", "6"]
    )
    expect(row_of(page, white.code)).to_have_count(0)

    # 11. The second delivery: the form now offers only what is still outstanding.
    page.goto(order_url)
    fields = receive_form()
    expect(fields[black.code]).to_have_value("0")
    expect(fields[white.code]).to_have_value("4")
    with page.expect_navigation():
        page.get_by_role("button", name="Receive", exact=True).click()
    page.wait_for_url(order_url)
    expect(heading).to_have_text(f"{number} Received")
    expect(page.get_by_role("link", name="Receive goods")).to_have_count(0)
    expect(order_lines[black.code].get_by_role("cell").nth(4)).to_have_text("6")
    expect(order_lines[white.code].get_by_role("cell").nth(4)).to_have_text("4")

    page.goto(shop_url("/console/inventory/stock/"))
    expect(row_of(page, black.code).get_by_role("cell")).to_have_text(
        [black.code, "Main warehouse", "6", "0", "6"]
    )
    expect(row_of(page, white.code).get_by_role("cell")).to_have_text(
        [white.code, "Main warehouse", "4", "0", "4"]
    )

    # 12. The shopper now sees both variants in stock; the mall card is no longer marked out of
    # stock (the receipts refreshed the offer index through the outbox).
    shopper.goto(shop_url(f"/products/{product_id}/"))
    expect(shopper.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(shopper.locator(".variant-picker fieldset label")).to_have_text(["black", "white"])
    for sku in (black, white):
        expect(shopper.locator(f"#offer-{sku.pk} .stock")).to_have_text("有货")
        expect(shopper.locator(f"#offer-{sku.pk} .price")).to_contain_text("199")

    shopper.goto(mall_server())
    shopper.wait_for_selector(f".product-card strong:has-text('{TITLE}')")
    expect(card).to_have_count(1)
    expect(card.locator(".badge")).to_have_count(0)
    shopper.screenshot(path=str(tmp_path / "mall-home.png"), full_page=True)
    shopper.context.close()
    merchant.close()
    operator.close()
