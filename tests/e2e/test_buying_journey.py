"""The buying journey across two shops (issue 4's journey).

A shopper fills one cart from two shops, uses a platform coupon, checks out with express
delivery from shop A and pickup (paid at the store) from shop B, pays the online part in the
sandbox cashier; both shops see their own sub-order; shop A ships in two parcels of the simulated
carrier, whose tracking pushes reach the shop's host over HTTP and show on the shopper's order
page; shop B checks the pickup code at the counter, takes the payment and hands the goods over.

Arrangement (services, not the journey): two shops with listed, stocked SKUs, a pickup store and
an express freight template (`stock_shop`, which also fills the mall's offer index), the
shopper's address and a platform coupon. Everything after that goes through the browser.

Asynchronous work: the tests run Celery eagerly (backend/settings/test.py), so the sandbox's
signed notification (after "Pay") and the carrier's four pushes (after "Ship") are real HTTP
requests to the live server made before the page that caused them answers. The checks that
depend on them still poll (`eventually`, `reload_until`) so that a slower path would be waited
for, not raced.

Money (the coupon split to the fen by largest remainder over the goods of every line):
    shop A: Oolong s0 ¥100.00 × 1 + Oolong s1 ¥50.00 × 2 = ¥200.00 goods, express for 3 pieces
            ¥10 + 2 × ¥2 = ¥14.00; shop B: Mug ¥30.00 × 2 = ¥60.00, pickup ¥0.00.
    ¥20.00 platform coupon over 100 / 100 / 60 → 7.69 / 7.69 / 4.62 (the last fen goes to the
    largest remainder, B's line): A −¥15.38 → payable ¥198.62 (online), B −¥4.62 → ¥55.38 (at
    the store); order total ¥254.00.
"""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from shared_apps.accounts import services as accounts
from shared_apps.marketing import services as marketing
from shared_apps.orders.models import Order, OrderLine, SubOrder
from shared_apps.payments.models import Payment, SandboxDelivery
from tenant_apps.catalog.models import SKU
from tenant_apps.fulfilment.models import Shipment
from tenant_apps.inventory.models import Reservation, StockBalance
from tests.e2e.browsing import (
    click_and_wait,
    eventually,
    reload_until,
    sign_in,
)
from tests.shared_apps.orders.conftest import stock_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOP_A, SHOP_B = "Alpha 商店", "Beta 商店"  # the names tests/conftest.py gives shop_a and shop_b
COUPON = "MALL20"


@pytest.fixture
def drop_shop_schemas(shop_a, shop_b):
    """Flushing the database empties the public tables only: drop the two shops' schemas."""
    yield
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        for shop in (shop_a, shop_b):
            cursor.execute(f'DROP SCHEMA IF EXISTS "{shop.schema_name}" CASCADE')


# --- helpers -----------------------------------------------------------------------------------


def checkout_section(page, shop_name: str):
    """One shop's part of the checkout form."""
    return page.locator("form.checkout section.card").filter(
        has=page.get_by_role("heading", name=shop_name, level=2, exact=True)
    )


def sub_order_region(page, shop_name: str):
    """One shop's sub-order on the shopper's order page (a section labelled by its heading)."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(shop_name)} "))


def console_row(page, number: str):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=number, exact=True))


def add_to_cart(page, product_url: str, variant: str, quantity: int):
    """On a shop's product page: pick the variant; "加入购物车" leads to the mall's confirm page,
    where the quantity is set and its own "加入购物车" adds the item to the cart.

    Worked around: in catalog/storefront/product_detail.html the CSS rule
    `.variant-picker input{position:absolute;opacity:0}`, meant for the variant radios, also
    hits the quantity box, which becomes invisible and lies over the "加入购物车" button (a
    pointer click lands on the box, never on the button). So the button is pressed from the
    keyboard (Enter on the focused button, as a keyboard user does) and the quantity is typed on
    the mall's confirm page, where it is visible. Once the rule is scoped to
    `input[type=radio]`, a plain click works too."""
    page.goto(product_url)
    page.locator(".variant-picker label", has_text=re.compile(rf"^{variant}$")).click()
    expect(page.get_by_role("radio", name=variant, exact=True)).to_be_checked()
    expect(page.locator(".variant-offer:visible .stock")).to_have_text("有货")
    with page.expect_navigation():
        page.get_by_role("button", name="加入购物车").press("Enter")
    expect(page).to_have_url(re.compile(r"^http://mall\.localhost:\d+/cart/add/\?"))
    expect(page.get_by_role("heading", level=1)).to_have_text("加入购物车")
    page.get_by_label("数量").fill(str(quantity))
    click_and_wait(page, page.get_by_role("button", name="加入购物车"))
    expect(page).to_have_url(re.compile(r"/cart/$"))
    expect(page.get_by_text("已加入购物车。")).to_be_visible()


def stock_of(shop, sku_id: int, location_id: int) -> tuple[int, int]:
    with schema_context(shop.schema_name):
        balance = StockBalance.objects.get(sku_id=sku_id, location_id=location_id)
        return balance.on_hand, balance.reserved


# --- the journey -------------------------------------------------------------------------------


def test_two_shop_cart_coupon_checkout_sandbox_payment_parcels_and_pickup(
    browser,
    mall_server,
    settings,
    shopper,
    merchant_a,
    merchant_b,
    shop_a,
    shop_b,
    drop_shop_schemas,
):
    settings.CARRIER_SIM_STEP_SECONDS = 0  # the simulated carrier pushes its events at once

    # Arrangement: stock, freight and a pickup store in both shops (projected into the mall's
    # offer index), the shopper's address, a platform coupon "满200减20".
    alpha = stock_shop(shop_a, prices=("100.00", "50.00"), title="Oolong")
    beta = stock_shop(shop_b, prices=("30.00",), title="Mug")
    with schema_context(shop_a.schema_name):
        alpha_product = SKU.objects.get(pk=alpha.skus[0]).product_id
        a_codes = list(
            SKU.objects.filter(pk__in=alpha.skus).order_by("pk").values_list("code", flat=True)
        )
    with schema_context(shop_b.schema_name):
        beta_product = SKU.objects.get(pk=beta.skus[0]).product_id
        b_code = SKU.objects.get(pk=beta.skus[0]).code
    accounts.address_create(
        user=shopper,
        data={
            "recipient_name": "张三",
            "phone": "13800138000",
            "province_code": "440000",
            "city_code": "440300",
            "district_code": "440305",
            "detail": "科技园 1 号",
        },
    )
    now = timezone.now()
    marketing.coupon_create(
        shop_id=None,
        data={
            "code": COUPON,
            "name": "满200减20",
            "amount_off": "20.00",
            "min_goods_amount": "200.00",
            "valid_from": now - timedelta(days=1),
            "valid_until": now + timedelta(days=7),
            "total_quantity": 100,
        },
    )

    # 1. The shopper signs in on the mall and fills the cart from both shops' product pages:
    # Oolong s0 × 1 and s1 × 1 from shop A, Mug × 2 from shop B.
    shopper_context = browser.new_context(locale="zh-CN")
    buyer = sign_in(shopper_context, lambda path: mall_server("", path), shopper.email, "/cart/")
    expect(buyer.get_by_text("购物车是空的。")).to_be_visible()
    add_to_cart(buyer, mall_server("alpha", f"/products/{alpha_product}/"), "s0", 1)
    add_to_cart(buyer, mall_server("alpha", f"/products/{alpha_product}/"), "s1", 1)
    add_to_cart(buyer, mall_server("beta", f"/products/{beta_product}/"), "s0", 2)

    # 2. The cart groups the lines by shop; the shopper makes it two of Oolong s1.
    cart_a = buyer.locator("section.cart-shop").filter(
        has=buyer.get_by_role("heading", name=SHOP_A)
    )
    cart_b = buyer.locator("section.cart-shop").filter(
        has=buyer.get_by_role("heading", name=SHOP_B)
    )
    s1_row = cart_a.get_by_role("row").filter(has_text=re.compile(r"Oolong\s+s1"))
    expect(s1_row).to_contain_text("¥50.00")
    s1_row.get_by_label("数量").fill("2")
    click_and_wait(buyer, s1_row.get_by_role("button", name="更新", exact=True))
    expect(s1_row.get_by_label("数量")).to_have_value("2")
    expect(s1_row.get_by_role("cell").nth(4)).to_have_text("¥100.00")
    expect(cart_a).to_contain_text("本店已选: ¥200.00")
    expect(cart_b.get_by_role("row").filter(has_text="Mug")).to_contain_text("¥60.00")
    expect(cart_b).to_contain_text("本店已选: ¥60.00")
    expect(buyer.locator("main")).to_contain_text("已选商品: ¥260.00")

    # 3. Checkout: express from shop A (the default), pickup at shop B's store paid there; the
    # platform coupon; "更新金额" shows the coupon split over both shops.
    buyer.get_by_role("link", name="去结算").click()
    buyer.wait_for_url("**/orders/checkout/")
    expect(buyer.get_by_role("heading", level=1)).to_have_text("结算")
    expect(buyer.get_by_role("radio", name=re.compile("张三"))).to_be_checked()
    section_a, section_b = checkout_section(buyer, SHOP_A), checkout_section(buyer, SHOP_B)
    expect(section_a.get_by_label("快递", exact=True)).to_be_checked()
    section_b.get_by_label("到店自提", exact=True).check()
    section_b.get_by_label("自提门店").select_option(str(beta.store_id))
    section_b.get_by_label("自提时到店付款").check()
    buyer.get_by_label("平台优惠券").fill(COUPON)
    click_and_wait(buyer, buyer.get_by_role("button", name="更新金额"))
    expect(buyer.get_by_role("alert")).to_have_count(0)
    expect(checkout_section(buyer, SHOP_B).get_by_label("到店自提", exact=True)).to_be_checked()
    expect(buyer.get_by_label("平台优惠券")).to_have_value(COUPON)
    totals = buyer.locator("table.totals")
    row_a = totals.get_by_role("row").filter(has_text=SHOP_A)
    row_b = totals.get_by_role("row").filter(has_text=SHOP_B)
    expect(row_a).to_contain_text("商品金额 ¥200.00 · 运费 ¥14.00 · 平台优惠 −¥15.38")
    expect(row_a.get_by_role("cell").last).to_have_text("¥198.62")
    expect(row_b).to_contain_text("商品金额 ¥60.00 · 运费 ¥0.00 · 平台优惠 −¥4.62")
    expect(row_b.get_by_role("cell").last).to_have_text("¥55.38 (到店支付)")
    expect(totals.get_by_role("row").filter(has_text="现在需付")).to_contain_text("¥198.62")

    # 4. Placing the order leads to its page: pending payment, ¥254.00 in all, ¥198.62 online.
    click_and_wait(buyer, buyer.get_by_role("button", name="提交订单"))
    expect(buyer).to_have_url(re.compile(r"/orders/\d{16}/$"))
    number = re.search(r"/orders/(\d{16})/$", buyer.url).group(1)
    order_url = buyer.url
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"订单 {number} 待付款")
    expect(buyer.locator("main")).to_contain_text("合计 ¥254.00 · 在线支付 ¥198.62")
    region_a, region_b = sub_order_region(buyer, SHOP_A), sub_order_region(buyer, SHOP_B)
    expect(region_a.locator("h2 .badge")).to_have_text("待付款")
    expect(region_a).to_contain_text("运费 ¥14.00 · 平台优惠 −¥15.38 · 应付 ¥198.62")
    # Each of A's lines carries its share of the coupon: 100.00 − 7.69.
    expect(
        region_a.get_by_role("row").filter(has_text=re.compile(r"Oolong\s+s0")).get_by_role("cell")
    ).to_have_text([re.compile(r"Oolong\s+s0"), "¥100.00", "1", "¥92.31"])
    expect(
        region_a.get_by_role("row").filter(has_text=re.compile(r"Oolong\s+s1")).get_by_role("cell")
    ).to_have_text([re.compile(r"Oolong\s+s1"), "¥50.00", "2", "¥92.31"])
    expect(region_a).to_contain_text("快递")
    expect(region_b).to_contain_text("运费 ¥0.00 · 平台优惠 −¥4.62 · 应付 ¥55.38")
    expect(region_b).to_contain_text("到店自提: Store")
    expect(region_b.locator(".pickup-code")).to_contain_text(
        re.compile(r"提货码: \d{6} · 到店付款")
    )
    sub_a = region_a.locator("h2 .muted").inner_text()
    sub_b = region_b.locator("h2 .muted").inner_text()
    assert {sub_a, sub_b} == {f"{number}-1", f"{number}-2"}
    pickup_code = region_b.locator(".pickup-code strong").inner_text()
    # The goods are held: A's from the warehouse, B's at the pickup store.
    assert stock_of(shop_a, alpha.skus[1], alpha.location_id) == (10, 2)
    assert stock_of(shop_b, beta.skus[0], beta.store_id) == (10, 2)

    # 5. "立即付款" opens the sandbox cashier for the online part only; paying it sends the
    # sandbox's signed notification to the mall, and the cashier returns to the result page.
    buyer.get_by_role("link", name="立即付款").click()
    buyer.wait_for_url(f"**/pay/sandbox/{number}/")
    expect(buyer.get_by_role("heading", level=1)).to_have_text("沙箱收银台")
    expect(buyer.locator("#sandbox-amount")).to_have_text("¥198.62")
    click_and_wait(buyer, buyer.get_by_role("button", name="支付 ¥198.62"))
    buyer.wait_for_url(f"**/pay/return/{number}/")
    expect(buyer.locator("#payment-status")).to_have_text("已支付")
    expect(buyer.get_by_text("谢谢，付款已到账。")).to_be_visible()
    # The money arrived through the notification over HTTP (answered "success"), not only
    # through the result page asking the sandbox.
    delivered = eventually(
        lambda: SandboxDelivery.objects.filter(
            trade__out_trade_no=number, delivered_at__isnull=False
        ).first(),
        "the sandbox's payment notification",
    )
    assert delivered.last_answer.startswith("200 success")
    payment = Payment.objects.get(number=number)
    assert (payment.status, payment.amount) == (
        "succeeded",
        Order.objects.get(number=number).online_amount,
    )

    buyer.get_by_role("link", name="查看我的订单").click()
    buyer.wait_for_url(order_url)
    expect(buyer.get_by_role("heading", level=1)).to_have_text(f"订单 {number} 已支付")
    expect(region_a.locator("h2 .badge")).to_have_text("已支付")
    expect(region_b.locator("h2 .badge")).to_have_text("待付款")  # paid at the store later
    expect(buyer.get_by_role("link", name="立即付款")).to_have_count(0)

    # 6. Both shops see their own sub-order, and only theirs, in the console.
    merchant_a_context = browser.new_context(locale="zh-CN")
    shop_a_page = sign_in(
        merchant_a_context,
        lambda path: mall_server("alpha", path),
        merchant_a.email,
        "/console/fulfilment/",
    )
    expect(shop_a_page.get_by_role("heading", level=1)).to_have_text("订单")
    row = console_row(shop_a_page, sub_a)
    expect(row.get_by_role("cell")).to_have_text(
        [
            "",
            sub_a,
            re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
            "已支付",
            "快递",
            f"{a_codes[0]} × 1, {a_codes[1]} × 2",
            "3",
            "¥198.62",
        ]
    )
    expect(shop_a_page.get_by_role("link", name=sub_b)).to_have_count(0)

    merchant_b_context = browser.new_context(locale="zh-CN")
    shop_b_page = sign_in(
        merchant_b_context,
        lambda path: mall_server("beta", path),
        merchant_b.email,
        "/console/fulfilment/",
    )
    row = console_row(shop_b_page, sub_b)
    expect(row.get_by_role("cell")).to_have_text(
        [
            "",
            sub_b,
            re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d"),
            "待付款",
            "到店自提",
            f"{b_code} × 2",
            "–",
            "¥55.38",
        ]
    )
    expect(shop_b_page.get_by_role("link", name=sub_a)).to_have_count(0)

    # 7. Shop A ships in two parcels with the simulated carrier (it issues the waybill numbers):
    # Oolong s0 first, then the two of s1. Each parcel's four tracking events are pushed to the
    # shop's host; the first parcel leaves the order shipped, the second, delivered, completes
    # the delivery.
    shop_a_page.get_by_role("link", name=sub_a, exact=True).click()
    shop_a_page.wait_for_url(f"**/console/fulfilment/{sub_a}/")
    heading_a = shop_a_page.get_by_role("heading", level=1)
    expect(heading_a).to_have_text(f"订单 {sub_a} 已支付")
    shop_a_page.get_by_role("combobox", name=re.compile("^快递公司")).select_option(
        label="模拟快递"
    )
    expect(shop_a_page.get_by_label(f"本包裹中 {a_codes[0]} 的件数")).to_have_value("1")
    expect(shop_a_page.get_by_label(f"本包裹中 {a_codes[1]} 的件数")).to_have_value("2")
    shop_a_page.get_by_label(f"本包裹中 {a_codes[1]} 的件数").fill("0")
    click_and_wait(shop_a_page, shop_a_page.get_by_role("button", name="发货", exact=True))
    expect(
        shop_a_page.get_by_text(re.compile(rf"订单 {sub_a} 的包裹 SIM\d{{12}} 已发货。"))
    ).to_be_visible()
    expect(heading_a).to_have_text(f"订单 {sub_a} 已发货")
    # Only s1 is left to ship, and all of it by default.
    expect(shop_a_page.get_by_label(f"本包裹中 {a_codes[0]} 的件数")).to_have_count(0)
    expect(shop_a_page.get_by_label(f"本包裹中 {a_codes[1]} 的件数")).to_have_value("2")
    shop_a_page.get_by_role("combobox", name=re.compile("^快递公司")).select_option(
        label="模拟快递"
    )
    click_and_wait(shop_a_page, shop_a_page.get_by_role("button", name="发货", exact=True))
    expect(
        shop_a_page.get_by_text(re.compile(rf"订单 {sub_a} 的包裹 SIM\d{{12}} 已发货。"))
    ).to_be_visible()
    expect(shop_a_page.get_by_role("heading", name="发出一个包裹")).to_have_count(0)  # nothing left

    eventually(
        lambda: SubOrder.objects.filter(number=sub_a, status="delivered").exists(),
        "the carrier's pushes to deliver both parcels",
    )
    with schema_context(shop_a.schema_name):
        parcels = list(Shipment.objects.filter(sub_order_number=sub_a).order_by("pk"))
        parcel_lines = [
            sorted((line.sku_code, line.quantity) for line in p.lines.all()) for p in parcels
        ]
        parcel_events = [p.events.count() for p in parcels]
    assert [p.carrier for p in parcels] == ["sim", "sim"]
    assert parcel_lines == [[(a_codes[0], 1)], [(a_codes[1], 2)]]
    assert parcel_events == [4, 4] and all(p.status == "delivered" for p in parcels)
    tracking = [p.tracking_number for p in parcels]

    shop_a_page.reload()
    expect(heading_a).to_have_text(f"订单 {sub_a} 已签收")
    for tracking_number in tracking:
        parcel_card = shop_a_page.locator("section.card").filter(has_text=tracking_number)
        expect(parcel_card.locator(".badge")).to_have_text("已签收")
        expect(parcel_card.locator("ol.history li")).to_have_count(4)
        expect(parcel_card).to_contain_text("已揽收 · 快件已揽收 · 深圳市南山区营业点")
        # The carrier reports deliveries itself: no "记录签收" (record delivery) by hand.
        expect(parcel_card.get_by_role("button", name="记录签收")).to_have_count(0)

    # 8. The shopper sees both parcels with their tracking timelines, newest event first.
    buyer.goto(order_url)
    reload_until(buyer, region_a.locator(".parcel"), 2)
    expect(region_a.locator("h2 .badge")).to_have_text("已签收")
    for index, tracking_number in enumerate(tracking):
        parcel = region_a.locator(".parcel").nth(index)
        expect(parcel).to_contain_text(tracking_number)
        expect(parcel.locator("ol.timeline li")).to_have_text(
            [
                re.compile(r"· 快件已签收，签收人：本人 · 目的地营业点$"),
                re.compile(r"· 快件正在派送中 · 目的地营业点$"),
                re.compile(r"· 快件已到达转运中心 · 广州转运中心$"),
                re.compile(r"· 快件已揽收 · 深圳市南山区营业点$"),
            ]
        )
    expect(region_b.locator(".parcel")).to_have_count(0)

    # 9. Shop B's pickup counter: a wrong code is refused (and counted), the right one opens the
    # order; the buyer pays ¥55.38 at the counter and takes the goods.
    shop_b_page.get_by_role("navigation", name="订单").get_by_role("link", name="自提核验").click()
    shop_b_page.wait_for_url("**/console/fulfilment/pickup/")
    expect(shop_b_page.get_by_role("heading", level=1)).to_have_text("自提核验")
    wrong_code = f"{(int(pickup_code) + 1) % 10**6:06d}"
    shop_b_page.get_by_label("订单号（输入或扫码）").fill(sub_b)
    shop_b_page.get_by_label("提货码").fill(wrong_code)
    click_and_wait(shop_b_page, shop_b_page.get_by_role("button", name="核验"))
    expect(shop_b_page.get_by_role("alert")).to_have_text(
        re.compile(r"订单号或提货码错误（还可尝试 4 次）。")
    )
    expect(shop_b_page.get_by_label("订单号（输入或扫码）")).to_have_value(sub_b)
    shop_b_page.get_by_label("提货码").fill(pickup_code)
    click_and_wait(shop_b_page, shop_b_page.get_by_role("button", name="核验"))
    shop_b_page.wait_for_url(f"**/console/fulfilment/pickup/{sub_b}/")
    expect(shop_b_page.get_by_role("status")).to_have_text("提货码正确。 待付款")
    counter = shop_b_page.locator("section.card")
    expect(counter).to_contain_text("到店付款")
    expect(counter).to_contain_text("¥55.38")
    expect(counter.get_by_role("listitem")).to_have_text(
        [re.compile(rf"^{re.escape(b_code)} · Mug × 2$")]
    )
    expect(shop_b_page.get_by_role("button", name="交付")).to_have_count(0)  # not before it is paid
    shop_b_page.get_by_label("买家付款方式（选填）").fill("现金")
    click_and_wait(shop_b_page, shop_b_page.get_by_role("button", name="收款 ¥55.38"))
    expect(shop_b_page.get_by_text(f"已收取订单 {sub_b} 的款项 ¥55.38。")).to_be_visible()
    expect(shop_b_page.get_by_role("status")).to_have_text("提货码正确。 已支付")
    click_and_wait(shop_b_page, shop_b_page.get_by_role("button", name="交付"))
    shop_b_page.wait_for_url("**/console/fulfilment/pickup/")
    expect(shop_b_page.get_by_text(f"订单 {sub_b} 已交付。")).to_be_visible()
    shop_b_page.goto(mall_server("beta", "/console/fulfilment/"))
    expect(console_row(shop_b_page, sub_b).get_by_role("cell").nth(3)).to_have_text("已完成")

    # 10. The shopper's order page: shop B's sub-order is completed, its code no longer shown.
    buyer.goto(order_url)
    expect(region_b.locator("h2 .badge")).to_have_text("已完成")
    expect(region_b.locator(".pickup-code")).to_have_count(0)
    expect(region_a.locator("h2 .badge")).to_have_text("已签收")

    # The money and the stock add up: every line paid what it owed; the held units were sold
    # from where they were held (A's warehouse, B's store), nothing is left reserved.
    subs = {s.number: s for s in SubOrder.objects.filter(order__number=number)}
    assert (subs[sub_a].paid_amount, subs[sub_b].paid_amount) == (
        subs[sub_a].payable_amount,
        subs[sub_b].payable_amount,
    )
    assert str(subs[sub_a].paid_amount) == "198.62" and str(subs[sub_b].paid_amount) == "55.38"
    assert str(subs[sub_a].platform_discount + subs[sub_b].platform_discount) == "20.00"
    lines = OrderLine.objects.filter(sub_order__order__number=number).order_by("pk")
    assert [(str(li.platform_discount), str(li.paid_amount)) for li in lines] == [
        ("7.69", "92.31"),
        ("7.69", "92.31"),
        ("4.62", "55.38"),
    ]
    assert Payment.objects.get(number=subs[sub_b].offline_payment_number).status == "succeeded"
    assert stock_of(shop_a, alpha.skus[0], alpha.location_id) == (9, 0)
    assert stock_of(shop_a, alpha.skus[1], alpha.location_id) == (8, 0)
    assert stock_of(shop_b, beta.skus[0], beta.store_id) == (8, 0)
    with schema_context(shop_b.schema_name):
        assert not Reservation.objects.filter(reference=sub_b, status="held").exists()

    shopper_context.close()
    merchant_a_context.close()
    merchant_b_context.close()
