"""A merchant lists a product with variants and images, the operator approves it, stock arrives,
and the storefront and the mall show it (issue 3's journey; the receipt is an inventory adjustment
until purchase orders exist)."""

import re

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from shared_apps.accounts.models import OperatorRole, User
from shared_apps.taxonomy.models import Category
from tenant_apps.catalog.models import Product
from tenant_apps.inventory.models import Location
from tenants.services import shop_provision
from tests.factories import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Journey#Pass2026"
TITLE = "降噪蓝牙耳机 Pro"
TIMEOUT = 15000


@pytest.fixture
def cleanup_schemas():
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 's\\_%'")
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')


def sign_in(context, url: str, email: str, next_path: str):
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url(f"/accounts/login/?next={next_path}"))
    page.fill("input[name=identifier]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(f"**{next_path}")
    return page


def submit(page, selector: str):
    """Click a form's button and wait for the page it leads to (often the same URL)."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state()


def test_create_review_stock_and_sell_a_product(browser, mall_server, tmp_path, cleanup_schemas):
    User.objects.create_user("ops@example.com", PASSWORD, display_name="Ops", operator_role=OperatorRole.ADMIN)
    merchant_user = User.objects.create_user("gadgets@example.com", PASSWORD, display_name="Gadget Owner")
    shop = shop_provision(subdomain="gadget-lab", name="Gadget Lab", company_name="Gadget Lab Co",
                          owner=merchant_user)
    with schema_context(shop.schema_name):
        Location.objects.create(name="Main", code="MAIN")
    category, _ = Category.objects.get_or_create(
        code="digital", defaults={"name": "手机数码", "name_en": "Phones & digital"})
    images = []
    for name, colour in (("front.png", "black"), ("back.png", "white")):
        path = tmp_path / name
        path.write_bytes(png_bytes(400, 400, colour))
        images.append(str(path))

    def shop_url(path: str) -> str:
        return mall_server("gadget-lab", path)

    # 1. The merchant signs in on the shop's host and creates a product.
    merchant = browser.new_context(locale="zh-CN")
    page = sign_in(merchant, shop_url, "gadgets@example.com", "/console/catalog/")
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
    ops = sign_in(operator, lambda path: mall_server("ops", path), "ops@example.com", "/moderation/")
    ops.click(f"main a:has-text('{TITLE}')")
    ops.wait_for_url(re.compile(r"/moderation/\d+/$"))
    ops.click("main form[action$='/approve/'] button[type=submit]")
    ops.wait_for_url(re.compile(r"/moderation/$"))
    with schema_context(shop.schema_name):
        assert Product.objects.get(pk=product_id).status == "approved"

    # 5. The merchant puts it on sale and receives 5 black ones into the warehouse.
    page.goto(edit_url)
    submit(page, f"main form[action='/console/catalog/{product_id}/list/'] button[type=submit]")
    page.wait_for_selector("main h1 .badge.listed")
    page.goto(shop_url("/console/inventory/adjust/"))
    page.fill("main input[name=sku_code]", skus["black"].code)
    page.select_option("main select[name=location_id]", label="Main")
    page.fill("main input[name=quantity]", "5")
    page.fill("main input[name=reason]", "到货入库 / goods receipt")
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_url("**/console/inventory/movements/")

    # 6. The storefront shows both variants, the black one in stock; the mall shows the product.
    page.goto(shop_url(f"/products/{product_id}/"))
    assert page.locator("main h1").first.inner_text() == TITLE
    labels = page.locator(".variant-picker label").all_inner_texts()
    assert sorted(labels) == ["black", "white"]
    black, white = skus["black"].pk, skus["white"].pk
    assert page.locator(f"#offer-{black} .stock:not(.out)").count() == 1
    assert page.locator(f"#offer-{white} .stock.out").count() == 1
    assert "199" in page.locator(f"#offer-{black} .price").text_content()

    page.goto(mall_server())
    page.wait_for_selector(f".product-card strong:has-text('{TITLE}')")
    assert page.locator(f".product-card:has-text('{TITLE}')").count() == 1
    page.screenshot(path=str(tmp_path / "mall-home.png"), full_page=True)
    merchant.close()
    operator.close()
