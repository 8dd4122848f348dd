"""A person registers, applies for a shop, the operator approves, the merchant edits the shop."""

import pytest
from django.db import connection

from shared_apps.accounts.models import OperatorRole, User
from shared_apps.onboarding.models import ApplicationStatus, ShopApplication
from tenants.models import Shop
from tests.factories import credit_code, png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Journey#Pass2026"


@pytest.fixture
def cleanup_schemas():
    yield
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 's\\_%'")
        for (schema,) in cursor.fetchall():
            cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_register_apply_approve_and_run_the_shop(browser, mall_server, tmp_path, cleanup_schemas):
    User.objects.create_user("ops@example.com", PASSWORD, display_name="Ops", operator_role=OperatorRole.ADMIN)
    licence = tmp_path / "licence.png"
    licence.write_bytes(png_bytes(400, 300, "white"))

    merchant = browser.new_context(locale="zh-CN")
    page = merchant.new_page()
    page.set_default_timeout(15000)

    # 1. Register on the mall.
    page.goto(mall_server(path="/accounts/register/"))
    page.fill("input[name=email]", "newmerchant@example.com")
    page.fill("input[name=display_name]", "新商家")
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/register/'] button[type=submit]")
    page.wait_for_url("**/accounts/")

    # 2. Apply for a shop, step by step.
    page.goto(mall_server(path="/open-shop/"))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/step/shop/")
    page.fill("input[name=shop_name]", "云端茶铺")
    page.fill("input[name=subdomain]", "cloud-tea")
    page.click("main button[type=submit]")
    page.wait_for_url("**/step/company/")
    page.fill("input[name=company_name]", "云端茶叶有限公司")
    page.fill("input[name=credit_code]", credit_code(77))
    page.fill("input[name=contact_name]", "李四")
    page.fill("input[name=contact_phone]", "13900001111")
    page.click("main button[type=submit]")
    page.wait_for_url("**/step/categories/")
    page.check("input[name=category_ids] >> nth=0")
    page.click("main button[type=submit]")
    page.wait_for_url("**/step/bank/")
    page.fill("input[name=bank_name]", "招商银行")
    page.fill("input[name=bank_account_name]", "云端茶叶有限公司")
    page.fill("input[name=bank_account_number]", "6225880112340000")
    page.click("main button[type=submit]")
    page.wait_for_url("**/step/documents/")
    page.select_option("select[name=kind]", "business_licence")
    page.set_input_files("input[name=file]", str(licence))
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_url("**/step/documents/")
    assert page.locator("text=licence.png").count() == 1
    page.goto(page.url.replace("/step/documents/", "/step/review/"))
    page.click("form.actions button[type=submit]")
    application = ShopApplication.objects.get(applicant__email="newmerchant@example.com")
    page.wait_for_url(f"**/open-shop/{application.pk}/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    # 3. The operator signs in on the operator host and approves.
    operator = browser.new_context(locale="zh-CN")
    ops = operator.new_page()
    ops.set_default_timeout(15000)
    ops.goto(mall_server("ops", f"/accounts/login/?next=/applications/{application.pk}/"))
    ops.fill("input[name=identifier]", "ops@example.com")
    ops.fill("input[name=password]", PASSWORD)
    ops.click("form[action='/accounts/login/'] button[type=submit]")
    ops.wait_for_url(f"**/applications/{application.pk}/")
    assert ops.locator("img").count() >= 1  # the licence previews inline
    ops.click(f"form[action='/applications/{application.pk}/approve/'] button")
    ops.wait_for_load_state()
    shop = Shop.objects.get(subdomain="cloud-tea")
    assert shop.name == "云端茶铺"

    # 4. The merchant goes from the mall to the new console with one sign-in.
    page.goto(mall_server(path="/accounts/"))
    page.click("form[action='/accounts/handoff/go/'] button")
    page.wait_for_url(mall_server("cloud-tea", "/console/"))
    page.goto(mall_server("cloud-tea", "/console/settings/"))
    page.fill("input[name=name]", "云端好茶")
    page.fill("textarea[name=description]", "高山云雾茶，产地直发。")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_load_state()

    # 5. The storefront and the mall show the new name.
    page.goto(mall_server("cloud-tea", "/"))
    assert page.locator("h1").first.inner_text() == "云端好茶"
    assert "高山云雾茶" in page.content()
    page.goto(mall_server(path="/"))
    assert page.locator("text=云端好茶").count() == 1
    page.screenshot(path=str(tmp_path / "mall-home.png"), full_page=True)
    merchant.close()
    operator.close()
