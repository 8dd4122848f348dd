"""The settlement journey (issue 6's journey) in the browser.

Orders of shop A are paid in the sandbox and completed; their after-sales window passes (moved
back in the database: the pages settle up to now); finance runs settlement on the operator host;
the merchant sees the statement in the console and downloads it as CSV; finance prepares and
sends the payout through the sandbox's settle-to-merchant transfer; finance fetches the sandbox's
statement of the day and every line matches the ledger.

Money: two orders of 1 × ¥100.00 with ¥10.00 express each, paid 110.00 each; the sandbox's fee
0.6 % = 0.66 each; 5 % commission on the goods = 5.00 each. The statement: gross 220.00, fees
−1.32, commission −10.00, net payable ¥208.68.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from backend.lib import pii
from shared_apps.accounts import services as accounts
from shared_apps.onboarding.models import BankAccountStatus, SettlementBankAccount
from shared_apps.orders import services as orders
from shared_apps.orders.checkout import checkout_place
from shared_apps.orders.models import SubOrder
from shared_apps.payments.testing import sandbox_pay
from shared_apps.settlement import selectors
from shared_apps.settlement import services as ledger
from shared_apps.settlement.models import Payout, Statement
from tests.shared_apps.orders.conftest import express, fill_cart, stock_shop

from .test_buying_journey import click_and_wait, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def drop_shop_schema(shop_a):
    yield
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{shop_a.schema_name}" CASCADE')


def completed_orders(shop, shopper, count: int) -> None:
    stocked = stock_shop(shop, prices=("100.00",))
    address = accounts.address_create(user=shopper, data={
        "recipient_name": "张三", "phone": "13800138000", "province_code": "440000", "city_code": "440300",
        "district_code": "440305", "detail": "科技园 1 号"})
    for i in range(count):
        fill_cart(shopper, (shop, stocked.skus[0], 1))
        order = checkout_place(user_id=shopper.pk, data={"client_token": f"journey-{i:04d}",
                                                         "address_id": address.pk, "shops": express(shop)})
        sandbox_pay(order.number)
        sub = order.sub_orders.get()
        orders.sub_order_shipped(shop_id=shop.pk, number=sub.number, actor_user_id=None)
        orders.sub_order_delivered(shop_id=shop.pk, number=sub.number)
    orders.sub_orders_complete_delivered(now=timezone.now() + timedelta(days=8))
    SubOrder.objects.filter(shop=shop).update(delivered_at=timezone.now() - timedelta(days=10))


def test_settlement_from_completed_orders_to_a_matched_statement(browser, mall_server, shop_a, merchant_a, shopper,
                                                                 operator, drop_shop_schema):
    ledger.commission_rule_create(rate="0.0500", effective_from=date(2020, 1, 1))
    completed_orders(shop_a, shopper, 2)
    SettlementBankAccount.objects.create(
        shop=shop_a, status=BankAccountStatus.ACTIVE, bank_name="招商银行", account_name="阿尔法贸易有限公司",
        account_number_encrypted=pii.encrypt("6225880112345678"), account_last4="5678", requested_by=merchant_a)
    def finance_url(path):
        return mall_server("ops", path)

    def shop_url(path):
        return mall_server("alpha", path)

    context = browser.new_context(locale="en-US", accept_downloads=True)
    context.add_cookies([{"name": "django_language", "value": "en", "url": mall_server("ops", "/")},
                         {"name": "django_language", "value": "en", "url": mall_server("alpha", "/")}])
    finance = sign_in(context, finance_url, operator.email, "/finance/runs/")
    click_and_wait(finance, finance.get_by_role("button", name="Run now"))
    statement = Statement.objects.get(shop=shop_a)
    assert statement.net_payable == Decimal("208.68")
    expect(finance.get_by_text(statement.number)).to_be_visible()

    merchant = sign_in(context, shop_url, merchant_a.email, "/console/finance/statements/")
    merchant.click(f"text={statement.number}")
    expect(merchant.locator("[data-total=net_payable]")).to_have_text("¥208.68")
    expect(merchant.locator("[data-total=commission]")).to_have_text("-¥10.00")
    with merchant.expect_download() as download:
        merchant.get_by_text("Download CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        csv_text = handle.read()
    assert "208.68" in csv_text and "-10.00" in csv_text

    finance.goto(finance_url("/finance/payouts/"))
    finance.select_option("select[name=channel]", "sandbox_split")
    click_and_wait(finance, finance.get_by_role("button", name="Prepare"))
    payout = Payout.objects.get(shop=shop_a)
    finance.goto(finance_url(f"/finance/payouts/{payout.number}/"))
    click_and_wait(finance, finance.locator("form[action$='/send/'] button[type=submit]"))
    payout.refresh_from_db()
    assert payout.status == "paid"
    expect(finance.locator("body")).to_contain_text("Paid")

    merchant.goto(shop_url("/console/finance/payouts/"))
    expect(merchant.locator("body")).to_contain_text(payout.number)

    finance.goto(finance_url("/finance/reconciliation/"))
    fetch = finance.locator("form[action$='/reconciliation/fetch/']")
    fetch.locator("select[name=provider]").select_option("sandbox")
    fetch.locator("input[name=day]").fill(timezone.localdate().isoformat())
    click_and_wait(finance, fetch.locator("button[type=submit]"))
    expect(finance.locator("body")).to_contain_text("2 lines: 2 matched")
    assert selectors.ledger_balanced()
    assert selectors.balance(ledger.account_for_shop(shop_id=shop_a.pk, kind="shop_payable")) == 0
    context.close()
