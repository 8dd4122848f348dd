"""What checkout asks a shop: prices by piece and by weight, region rules (most specific wins),
exclusions, free shipping above a threshold, same-city, pickup, bad input, weights from the
catalog, and query counts that do not grow with the items or the rules."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from backend.api.errors import ServiceError
from tenant_apps.catalog.models import SKU, Product
from tenant_apps.freight import interface
from tenant_apps.freight.interface import FreightItem, FreightQuote
from tenant_apps.freight.pricing import Rate

from .conftest import items, make_location, make_template

pytestmark = pytest.mark.django_db
NANSHAN, TIANHE, URUMQI_TIANSHAN, URUMQI_XINSHI, LHASA, CHAOYANG = (
    "440305", "440106", "650102", "650104", "540102", "110105")


def quote(shop, method, region, its):
    with schema_context(shop.schema_name):
        return interface.quote(method=method, region_code=region, items=its)


def refused(shop, method, region, its) -> ServiceError:
    with pytest.raises(ServiceError) as exc, schema_context(shop.schema_name):
        interface.quote(method=method, region_code=region, items=its)
    return exc.value


@pytest.mark.parametrize(("units", "expected"), [
    (0, "10.00"), (1, "10.00"), (1000, "10.00"), (1001, "13.00"), (1500, "13.00"), (1501, "16.00"), (10_000, "64.00"),
])
def test_rate_rounds_additional_steps_up(units, expected):
    assert Rate(1000, Decimal("10.00"), 500, Decimal("3.00")).charge(units) == Decimal(expected)


def test_by_piece(shop_a):
    make_template(shop_a, first_units=2, first_price="8.00", additional_units=1, additional_price="1.50")
    assert quote(shop_a, "express", NANSHAN, items((1, 0, "10"))) == FreightQuote("express", Decimal("8.00"), "")
    assert quote(shop_a, "express", NANSHAN, items((2, 0, "10"))).amount == Decimal("8.00")
    # 5 pieces over two lines: 8 + 3 × 1.50
    assert quote(shop_a, "express", NANSHAN, items((3, 0, "10"), (2, 0, "5"))).amount == Decimal("12.50")


def test_by_weight_rounds_up_started_steps(shop_a):
    make_template(shop_a, basis="weight", first_units=1000, first_price="10.00", additional_units=500, additional_price="3.00")
    # 2 × 400 g = 800 g: first kilo only
    assert quote(shop_a, "express", NANSHAN, items((2, 400, "20"))).amount == Decimal("10.00")
    # 3 × 400 g + 1 × 51 g = 1,251 g: one started 500 g step
    assert quote(shop_a, "express", NANSHAN, items((3, 400, "20"), (1, 51, "1"))).amount == Decimal("13.00")
    # 1,501 g: two steps
    assert quote(shop_a, "express", NANSHAN, items((1, 1501, "20"))).amount == Decimal("16.00")
    # weightless goods still pay the first step
    assert quote(shop_a, "express", NANSHAN, items((5, 0, "20"))).amount == Decimal("10.00")


def test_most_specific_region_rule_wins(shop_a):
    make_template(shop_a, first_price="10.00", excluded_regions=["650000"], rules=[
        {"regions": ["440000"], "first_price": "6.00", "additional_price": "1.00"},
        {"regions": ["440300"], "first_price": "5.00", "additional_price": "1.00"},
        {"regions": ["440305", "650102"], "first_price": "4.00", "additional_price": "1.00"},
    ])
    one = items((1, 0, "10"))
    assert quote(shop_a, "express", NANSHAN, one).amount == Decimal("4.00")  # district
    assert quote(shop_a, "express", "440303", one).amount == Decimal("5.00")  # 罗湖区: city
    assert quote(shop_a, "express", TIANHE, one).amount == Decimal("6.00")  # province
    assert quote(shop_a, "express", CHAOYANG, one).amount == Decimal("10.00")  # default
    # 新疆 is excluded, but 天山区 has a rule of its own
    assert quote(shop_a, "express", URUMQI_TIANSHAN, one).amount == Decimal("4.00")
    error = refused(shop_a, "express", URUMQI_XINSHI, one)
    assert (error.code, error.status_code) == ("not_deliverable", 422)
    assert "650104" in error.message and "新疆维吾尔自治区乌鲁木齐市新市区" in error.message
    assert "region_code" in error.fields


def test_free_threshold_uses_the_goods_amount_before_discounts(shop_a):
    make_template(shop_a, free_threshold="99.00", rules=[{"regions": ["540000"], "first_price": "25.00", "additional_price": "5"}])
    assert quote(shop_a, "express", NANSHAN, items((1, 0, "98.99"))) == FreightQuote("express", Decimal("10.00"), "")
    assert quote(shop_a, "express", NANSHAN, items((1, 0, "50.00"), (1, 0, "49.00"))) == FreightQuote(
        "express", Decimal("0.00"), "threshold")
    assert quote(shop_a, "express", LHASA, items((3, 0, "120"))).free_reason == "threshold"


def test_a_rule_priced_at_zero_says_why(shop_a):
    make_template(shop_a, rules=[{"regions": ["440300"], "first_price": "0", "additional_price": "0"}])
    assert quote(shop_a, "express", NANSHAN, items((4, 0, "1"))) == FreightQuote("express", Decimal("0.00"), "rule")


def test_no_template_means_pickup_only(shop_a):
    error = refused(shop_a, "express", NANSHAN, items((1, 0, "1")))
    assert error.code == "not_deliverable" and "method" in error.fields
    with schema_context(shop_a.schema_name):
        assert interface.methods_for(region_code=NANSHAN, items=items((1, 0, "1"))) == []
    assert refused(shop_a, "pickup", "", items((1, 0, "1"))).code == "not_deliverable"  # no pickup location either
    store = make_location(shop_a, "ST", kind="store", does_pickup=True, name="福田店", province_code="440000",
                          city_code="440300", district_code="440304", address_detail="深南大道1号", opening_hours="9-21")
    make_location(shop_a, "WH", name="仓库")
    assert quote(shop_a, "pickup", "", items((1, 0, "1"))) == FreightQuote("pickup", Decimal("0.00"), "pickup")
    with schema_context(shop_a.schema_name):
        assert interface.pickup_locations() == [interface.PickupLocation(
            id=store, name="福田店", address="广东省深圳市福田区深南大道1号", opening_hours="9-21", phone="",
            city_code="440300", district_code="440304")]


def test_same_city_reaches_only_the_cities_of_active_locations(shop_a):
    make_template(shop_a, name="Same city", method="same_city", first_price="5.00")
    make_template(shop_a, name="Express", method="express", first_price="12.00")
    one = items((1, 0, "10"))
    assert refused(shop_a, "same_city", NANSHAN, one).fields.keys() == {"region_code"}
    make_location(shop_a, "SZ", district_code="440304")  # 深圳市福田区: the city comes from the district
    assert quote(shop_a, "same_city", NANSHAN, one).amount == Decimal("5.00")
    assert refused(shop_a, "same_city", TIANHE, one).code == "not_deliverable"
    make_location(shop_a, "GZ", city_code="440100", is_active=False)
    assert refused(shop_a, "same_city", TIANHE, one).code == "not_deliverable"  # inactive location
    with schema_context(shop_a.schema_name):
        assert interface.methods_for(region_code=NANSHAN, items=one) == [
            FreightQuote("express", Decimal("12.00"), ""), FreightQuote("same_city", Decimal("5.00"), "")]
        assert interface.methods_for(region_code=TIANHE, items=one) == [FreightQuote("express", Decimal("12.00"), "")]


def test_methods_are_listed_in_a_fixed_order(shop_a):
    make_template(shop_a, name="Fast", method="expedited", first_price="20.00")
    make_template(shop_a, name="Slow", method="express", first_price="8.00", excluded_regions=["540000"])
    with schema_context(shop_a.schema_name):
        assert [q.method for q in interface.methods_for(region_code=NANSHAN, items=items((1, 0, "1")))] == ["express", "expedited"]
        assert [q.method for q in interface.methods_for(region_code=LHASA, items=items((1, 0, "1")))] == ["expedited"]


def test_inactive_templates_do_not_price(shop_a):
    make_template(shop_a, is_active=False)
    assert refused(shop_a, "express", NANSHAN, items((1, 0, "1"))).code == "not_deliverable"


@pytest.mark.parametrize(("method", "region", "its", "field"), [
    ("express", "440300", items((1, 0, "1")), "region_code"),  # a city, not a district
    ("express", "999999", items((1, 0, "1")), "region_code"),
    ("express", None, items((1, 0, "1")), "region_code"),
    ("air", NANSHAN, items((1, 0, "1")), "method"),
    ("express", NANSHAN, [], "items"),
    ("express", NANSHAN, items((0, 0, "1")), "items[0].quantity"),
    ("express", NANSHAN, items((1, 0, "1"), (-2, 0, "1")), "items[1].quantity"),
    ("express", NANSHAN, [FreightItem(1, 1.5, 0, Decimal(1))], "items[0].quantity"),
    ("express", NANSHAN, [FreightItem(1, 1, -1, Decimal(1))], "items[0].weight_grams"),
    ("express", NANSHAN, [FreightItem(1, 1, 0, Decimal("1.001"))], "items[0].amount"),
    ("express", NANSHAN, [FreightItem(1, 1, 0, Decimal(-1))], "items[0].amount"),
    ("express", NANSHAN, [FreightItem(1, 1, 0, Decimal("NaN"))], "items[0].amount"),
    ("express", NANSHAN, [("not", "an item")], "items[0]"),
])
def test_bad_input_names_the_field(shop_a, method, region, its, field):
    make_template(shop_a)
    with pytest.raises(ServiceError) as exc, schema_context(shop_a.schema_name):
        interface.quote(method=method, region_code=region, items=its)
    assert exc.value.status_code == 400 and field in exc.value.fields


def test_items_for_reads_weights_from_the_catalog_in_one_query(shop_a):
    with schema_context(shop_a.schema_name):
        product = Product.objects.create(title="Tea", weight_grams=250)
        own = SKU.objects.create(product=product, code="T-1", sale_price=Decimal(30), weight_grams=500)
        inherits = SKU.objects.create(product=product, code="T-2", sale_price=Decimal(20))
        with CaptureQueriesContext(connection) as queries:
            result = interface.items_for([(own.pk, 2, Decimal("60.00")), (inherits.pk, 1, Decimal("20.00"))])
        assert len([q for q in queries if q["sql"].startswith("SELECT")]) == 1
        assert result == [FreightItem(own.pk, 2, 500, Decimal("60.00")), FreightItem(inherits.pk, 1, 250, Decimal("20.00"))]
        with pytest.raises(ServiceError) as exc:
            interface.items_for([(own.pk, 1, Decimal(1)), (987654, 1, Decimal(1))])
        assert exc.value.status_code == 404 and "lines[1].sku_id" in exc.value.fields


def test_quote_query_count_does_not_grow_with_items_or_rules(shop_a):
    def count(call) -> int:
        with CaptureQueriesContext(connection) as queries:
            call()
        return len([q for q in queries if q["sql"].startswith("SELECT")])

    make_location(shop_a, "SZ", district_code="440304", does_pickup=True)
    make_template(shop_a, rules=[{"regions": ["440000"], "first_price": "6", "additional_price": "1"}])
    make_template(shop_a, name="Same city", method="same_city", first_price="5.00")
    with schema_context(shop_a.schema_name):
        small = items((1, 0, "1"))
        base = (count(lambda: interface.quote(method="express", region_code=NANSHAN, items=small)),
                count(lambda: interface.quote(method="same_city", region_code=NANSHAN, items=small)),
                count(lambda: interface.methods_for(region_code=NANSHAN, items=small)),
                count(lambda: interface.pickup_locations()))
    assert base == (2, 3, 3, 1)
    make_template(shop_a, name="Fast", method="expedited", first_price="9", rules=[
        {"regions": [code], "first_price": "7", "additional_price": "1"} for code in ("110000", "310000", "440300", "650102")])
    make_location(shop_a, "BJ", district_code="110105")
    with schema_context(shop_a.schema_name):
        many = items(*[(i + 1, 100, "10") for i in range(30)])
        assert (count(lambda: interface.quote(method="express", region_code=NANSHAN, items=many)),
                count(lambda: interface.quote(method="same_city", region_code=NANSHAN, items=many)),
                count(lambda: interface.methods_for(region_code=NANSHAN, items=many)),
                count(lambda: interface.pickup_locations())) == base
