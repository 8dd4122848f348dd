"""A shop's order settings: minutes to pay, confirming before shipping, days to completion and the
after-sales window (never below the statutory 7 days), through the API and the settings page;
new orders take them, placed orders keep theirs."""

import pytest
from django_tenants.utils import schema_context

from shared_apps.audit.models import AuditEntry
from tenant_apps.shop.models import ShopProfile

from .conftest import add_staff, host_client

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/order-settings/"


def profile(shop):
    with schema_context(shop.schema_name):
        return ShopProfile.objects.get()


def test_owner_changes_them_over_the_api(shop_a, owner_a):
    assert owner_a.get(API).json() == {"payment_minutes": 30, "confirm_orders": False, "auto_complete_days": 7,
                                       "after_sales_days": 7}
    answer = owner_a.patch(API, {"payment_minutes": 15, "confirm_orders": True, "after_sales_days": 15},
                           content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"payment_minutes": 15, "confirm_orders": True, "auto_complete_days": 7,
                             "after_sales_days": 15}
    stored = profile(shop_a)
    assert (stored.payment_minutes, stored.confirm_orders, stored.after_sales_days) == (15, True, 15)
    entry = AuditEntry.objects.get(action="shop.order_settings_changed")
    assert entry.after == {"payment_minutes": 15, "confirm_orders": True, "after_sales_days": 15}


@pytest.mark.parametrize(("body", "field"), [
    ({"after_sales_days": 6}, "after_sales_days"),  # below the statutory floor
    ({"after_sales_days": 91}, "after_sales_days"),
    ({"payment_minutes": 4}, "payment_minutes"),
    ({"payment_minutes": "soon"}, "payment_minutes"),
    ({"auto_complete_days": 0}, "auto_complete_days"),
    ({"auto_complete_days": True}, "auto_complete_days"),
    ({"confirm_orders": "yes"}, "confirm_orders"),
])
def test_out_of_range_values_are_named_and_nothing_changes(shop_a, owner_a, body, field):
    answer = owner_a.patch(API, body, content_type="application/json")
    assert answer.status_code == 400 and field in answer.json()["error"]["fields"]
    assert profile(shop_a).after_sales_days == 7 and profile(shop_a).payment_minutes == 30


def test_only_settings_roles_change_them(shop_a, clerk_a):
    assert clerk_a.get(API).status_code == 200
    assert clerk_a.patch(API, {"payment_minutes": 10}, content_type="application/json").status_code == 403
    assert clerk_a.post("/console/settings/orders/", {"payment_minutes": 10}).status_code == 403


def test_the_settings_page_form(shop_a, owner_a):
    page = owner_a.get("/console/settings/").content.decode()
    assert 'name="after_sales_days"' in page and 'value="7"' in page
    form = {"payment_minutes": "20", "auto_complete_days": "10", "after_sales_days": "14"}
    assert owner_a.post("/console/settings/orders/", form).status_code == 302
    stored = profile(shop_a)
    assert (stored.payment_minutes, stored.confirm_orders, stored.auto_complete_days, stored.after_sales_days) == (
        20, False, 10, 14)
    refused = owner_a.post("/console/settings/orders/", {**form, "after_sales_days": "3"})
    assert refused.status_code == 400 and "greater than or equal to 7" in refused.content.decode()
    assert profile(shop_a).after_sales_days == 14


def test_another_shops_staff_cannot_touch_them(shop_a, shop_b, merchant_b, make_user):
    outsider = host_client(shop_a, merchant_b)
    assert outsider.patch(API, {"payment_minutes": 10}, content_type="application/json").status_code == 403
    helper = make_user(email="helper@beta.example", display_name="Helper")
    add_staff(shop_b, helper, "manager")
    assert host_client(shop_a, helper).post("/console/settings/orders/", {"payment_minutes": "10"}).status_code == 403
    assert profile(shop_a).payment_minutes == 30
