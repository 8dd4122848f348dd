"""The address book's cascading province / city / district selects, in a phone-sized browser."""

import pytest

from shared_apps.accounts.models import Address


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_cascading_selects_fill_from_the_regions_api(browser, mall_server, make_user):
    from tests.factories import PASSWORD

    user = make_user(email="cascade@example.com")
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    page.set_default_timeout(15000)
    page.goto(mall_server(path="/accounts/login/?next=/accounts/addresses/new/"))
    page.fill("input[name=identifier]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url("**/accounts/addresses/new/")
    assert not page.is_visible("button[name=refresh]")  # the no-JavaScript step is hidden
    page.select_option("select[name=province_code]", "440000")
    page.wait_for_selector("select[name=city_code] option[value='440300']", state="attached")
    page.select_option("select[name=city_code]", "440300")
    page.wait_for_selector("select[name=district_code] option[value='440305']", state="attached")
    page.select_option("select[name=district_code]", "440305")
    page.fill("input[name=recipient_name]", "王小明")
    page.fill("input[name=phone]", "13800138000")
    page.fill("input[name=detail]", "科技园1号")
    page.click("form.address-form button[type=submit]:not([name])")
    page.wait_for_url("**/accounts/addresses/")
    # 东莞 has no districts: choosing the city chooses its one "district" too.
    address = Address.objects.get(user=user)
    assert (address.province_code, address.city_code, address.district_code) == ("440000", "440300", "440305")
    page.goto(mall_server(path=f"/accounts/addresses/{address.pk}/"))
    page.select_option("select[name=city_code]", "441900")
    page.wait_for_selector("select[name=district_code] option[value='441900']", state="attached")
    assert page.input_value("select[name=district_code]") == "441900"
    page.click("form.address-form button[type=submit]:not([name])")
    page.wait_for_url("**/accounts/addresses/")
    address.refresh_from_db()
    assert (address.city_code, address.district_code) == ("441900", "441900")
