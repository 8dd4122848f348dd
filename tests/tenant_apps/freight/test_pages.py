"""The freight pages of the console: list, the template form with region rules (province
checkboxes, typed codes and names), delete with confirmation, try a quote, the region finder,
roles and isolation between shops."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.freight.models import FreightTemplate

from .conftest import host_client, make_location, make_template

pytestmark = pytest.mark.django_db
BASE = "/console/freight/"


def form(**changes) -> dict:
    data = {"name": "Express", "method": "express", "basis": "piece", "first_units": "1", "first_price": "10",
            "additional_units": "1", "additional_price": "2", "free_threshold": "", "is_active": "on",
            "excluded_province": ["650000", "540000"], "excluded_more": "", "rule_rows": "2",
            "rule-0-province": ["440000"], "rule-0-more": "110105 深圳市", "rule-0-first_units": "1",
            "rule-0-first_price": "6", "rule-0-additional_units": "1", "rule-0-additional_price": "1",
            "rule-1-more": "", "rule-1-first_units": "1", "rule-1-first_price": "", "rule-1-additional_units": "1",
            "rule-1-additional_price": ""}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_empty_list_says_pickup_only(owner_a):
    html = owner_a.get(BASE).content.decode()
    assert "No active template: buyers can only pick up" in html
    assert '<a href="/console/freight/" class="active">Freight</a>' in html


def test_create_edit_and_delete_through_the_form(owner_a, shop_a):
    new = owner_a.get(BASE + "new/")
    assert new.status_code == 200 and 'name="rule-1-first_price"' in new.content.decode()
    response = owner_a.post(BASE + "new/", form())
    assert response.status_code == 302 and response["Location"] == BASE
    with schema_context(shop_a.schema_name):
        template = FreightTemplate.objects.get()
        assert template.excluded_regions == ["650000", "540000"]
        assert [(r.regions, r.first_price) for r in template.rules.all()] == [(["440000", "110105", "440300"], Decimal("6.00"))]
    listing = owner_a.get(BASE).content.decode()
    assert "Express" in listing and "first 1 pcs ¥10.00, +¥2.00 per 1 pcs" in listing
    edit = owner_a.get(BASE + f"{template.pk}/").content.decode()
    assert 'value="650000" checked' in edit and "110105 440300" in edit and "北京市朝阳区 · 广东省深圳市" in edit
    assert 'name="rule-2-first_price"' in edit  # two blank rows after the saved one
    changed = form(**{"rule_rows": "1", "rule-0-more": "", "first_price": "12.5", "free_threshold": "99"})
    assert owner_a.post(BASE + f"{template.pk}/", changed).status_code == 302
    with schema_context(shop_a.schema_name):
        template.refresh_from_db()
        assert (template.first_price, template.free_threshold) == (Decimal("12.50"), Decimal("99.00"))
        assert [r.regions for r in template.rules.all()] == [["440000"]]
    confirm = owner_a.get(BASE + f"{template.pk}/delete/")
    assert confirm.status_code == 200 and "Delete “Express”?" in confirm.content.decode()
    assert owner_a.post(BASE + f"{template.pk}/delete/").status_code == 302
    with schema_context(shop_a.schema_name):
        assert not FreightTemplate.objects.exists()


@pytest.mark.parametrize(("changes", "message", "status"), [
    ({"first_price": "1.234"}, "first_price: At most two decimals (fen).", 400),
    ({"first_units": "0"}, "first_units: Must be at least 1.", 400),
    ({"rule-1-more": "999999", "rule-1-first_price": "3", "rule-1-additional_price": "1"},
     "Rule 2: regions: Unknown region: 999999.", 400),
    ({"rule-0-more": "朝阳区"}, "is ambiguous", 400),
    ({"excluded_province": ["440000"]}, "both excluded and priced", 400),
])
def test_form_errors_keep_what_was_typed(owner_a, shop_a, changes, message, status):
    response = owner_a.post(BASE + "new/", form(**changes))
    html = response.content.decode()
    assert response.status_code == status and message in html
    assert 'value="Express"' in html
    with schema_context(shop_a.schema_name):
        assert not FreightTemplate.objects.exists()


def test_second_active_template_is_refused_on_the_page(owner_a, shop_a):
    make_template(shop_a)
    response = owner_a.post(BASE + "new/", form(name="Another"))
    assert response.status_code == 409 and "deactivate it first" in response.content.decode()


def test_try_a_quote(owner_a, shop_a):
    make_template(shop_a, basis="weight", first_units=1000, first_price="10", additional_units=500, additional_price="3",
                  rules=[{"regions": ["440300"], "first_price": "6", "additional_price": "2"}])
    make_location(shop_a, "ST", kind="store", does_pickup=True)
    ambiguous = owner_a.post(BASE + "quote/", {"method": "", "region": "南山区", "quantity": "1", "amount": "1"})
    assert ambiguous.status_code == 400 and "230404 黑龙江省鹤岗市南山区" in ambiguous.content.decode()
    response = owner_a.post(BASE + "quote/", {"method": "", "region": "福田区", "quantity": "3", "weight_grams": "500",
                                              "amount": "30"})
    html = response.content.decode()
    # The rule takes the template's units: 1,500 g = first 1,000 g ¥6 + one 500 g step ¥2.
    assert response.status_code == 200 and "To 广东省深圳市福田区" in html and "¥8.00" in html
    far = owner_a.post(BASE + "quote/", {"method": "express", "region": "650102", "quantity": "1", "weight_grams": "2000",
                                         "amount": "10"})
    assert "¥16.00" in far.content.decode()
    pickup = owner_a.post(BASE + "quote/", {"method": "pickup", "region": "", "quantity": "1", "amount": "1"})
    assert "pickup is free" in pickup.content.decode()
    for bad, status in [({"region": "朝阳区"}, 400), ({"region": "440300"}, 400), ({"quantity": "0"}, 400),
                        ({"amount": "1.001"}, 400), ({"method": "same_city"}, 422)]:
        body = {"method": "", "region": "440305", "quantity": "1", "weight_grams": "0", "amount": "1", **bad}
        assert owner_a.post(BASE + "quote/", body).status_code == status, bad


def test_region_finder(owner_a):
    root = owner_a.get(BASE + "regions/").content.decode()
    assert "/console/freight/regions/?parent=440000" in root
    city = owner_a.get(BASE + "regions/?parent=440300").content.decode()
    assert "<code>440305</code>" in city and "南山区" in city and "?parent=440305" not in city
    assert owner_a.get(BASE + "regions/?parent=nope").status_code == 404


def test_list_query_count_does_not_grow(owner_a, shop_a):
    make_template(shop_a, rules=[{"regions": ["440000"], "first_price": "6", "additional_price": "1"}])
    owner_a.get(BASE)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            owner_a.get(BASE)
        return len([q for q in queries if q["sql"].startswith("SELECT")])

    one = count()
    make_template(shop_a, name="Fast", method="expedited", rules=[
        {"regions": [c], "first_price": "6", "additional_price": "1"} for c in ("110000", "310000")])
    make_location(shop_a, "ST", does_pickup=True)
    assert count() == one


def test_roles_and_isolation(shop_a, shop_b, merchant_b, clerk_a, manager_a):
    template = make_template(shop_a, name="A express")
    assert manager_a.get(BASE).status_code == 200
    for path in ("", "new/", f"{template.pk}/", f"{template.pk}/delete/", "quote/", "regions/"):
        assert clerk_a.get(BASE + path).status_code == 403
    assert "/console/freight/" not in clerk_a.get("/console/").content.decode()
    on_a = host_client(shop_a, merchant_b)
    for path in ("", f"{template.pk}/", f"{template.pk}/delete/"):
        assert on_a.get(BASE + path).status_code == 403
    assert on_a.post(BASE + f"{template.pk}/delete/").status_code == 403
    assert on_a.post(BASE + f"{template.pk}/", form(name="mine")).status_code == 403
    on_b = host_client(shop_b, merchant_b)
    assert "A express" not in on_b.get(BASE).content.decode()
    assert on_b.get(BASE + f"{template.pk}/").status_code == 404
    assert on_b.post(BASE + f"{template.pk}/delete/").status_code == 404
    with schema_context(shop_a.schema_name):
        assert FreightTemplate.objects.get().name == "A express"
    assert host_client(shop_a).get(BASE).status_code == 302
