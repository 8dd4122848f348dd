"""The freight API: template CRUD, the staff's quote, bad input naming the field, roles, isolation
between shops, query counts, and a clean OpenAPI document."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from tenant_apps.freight.models import FreightTemplate

from .conftest import EXPRESS, host_client, make_location, make_template

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/freight/"
JSON = "application/json"


def post(client, path, data):
    return client.post(API + path, data, content_type=JSON)


def test_crud(owner_a, shop_a):
    created = post(owner_a, "templates/", {**EXPRESS, "excluded_regions": ["540000"],
                                           "rules": [{"regions": ["440000", "110105"], "first_price": "6.00", "additional_price": "1.00"}]})
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["rules"][0]["region_names"] == ["广东省", "北京市朝阳区"] and body["is_active"] is True
    assert body["first_price"] == "10.00" and body["free_threshold"] is None
    pk = body["id"]
    listed = owner_a.get(API + "templates/").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == pk
    patched = owner_a.patch(API + f"templates/{pk}/", {"free_threshold": "88", "rules": []}, content_type=JSON)
    assert patched.status_code == 200 and patched.json()["free_threshold"] == "88.00" and patched.json()["rules"] == []
    assert owner_a.get(API + f"templates/{pk}/").json()["free_threshold"] == "88.00"
    assert owner_a.delete(API + f"templates/{pk}/").status_code == 204
    assert owner_a.get(API + f"templates/{pk}/").status_code == 404


def test_quote(owner_a, shop_a):
    make_template(shop_a, free_threshold="100", rules=[{"regions": ["650000"], "first_price": "20", "additional_price": "5"}])
    make_location(shop_a, "ST", kind="store", does_pickup=True, name="Store", district_code="440304")
    one = [{"quantity": 3, "weight_grams": 100, "amount": "30.00"}]
    response = post(owner_a, "quote/", {"region_code": "650102", "items": one})
    assert response.status_code == 200
    assert response.json()["quotes"] == [{"method": "express", "amount": "30.00", "free_reason": ""}]
    assert [p["name"] for p in response.json()["pickup_locations"]] == ["Store"]
    free = post(owner_a, "quote/", {"region_code": "440305", "method": "express", "items": [{"quantity": 1, "amount": "100"}]})
    assert free.json()["quotes"] == [{"method": "express", "amount": "0.00", "free_reason": "threshold"}]
    pickup = post(owner_a, "quote/", {"method": "pickup", "items": one})
    assert pickup.json()["quotes"] == [{"method": "pickup", "amount": "0.00", "free_reason": "pickup"}]
    none = post(owner_a, "quote/", {"region_code": "440305", "method": "same_city", "items": one})
    assert none.status_code == 422 and none.json()["error"]["code"] == "not_deliverable"


@pytest.mark.parametrize(("path", "body", "field", "status"), [
    ("templates/", {**EXPRESS, "first_price": "1.234"}, "first_price", 400),
    ("templates/", {**EXPRESS, "first_price": "-1"}, "first_price", 400),
    ("templates/", {**EXPRESS, "first_units": 1.5}, "first_units", 400),
    ("templates/", {**EXPRESS, "first_units": 0}, "first_units", 400),
    ("templates/", {**EXPRESS, "method": "pickup"}, "method", 400),
    ("templates/", {**EXPRESS, "excluded_regions": ["123456"]}, "excluded_regions", 400),
    ("templates/", {**EXPRESS, "rules": [{"regions": ["440000"], "first_price": "x", "additional_price": "1"}]},
     "rules[0].first_price", 400),
    ("templates/", {**EXPRESS, "rules": [{"regions": ["999999"], "first_price": "1", "additional_price": "1"}]},
     "rules[0].regions", 400),
    ("templates/", {"name": "x"}, "method", 400),
    ("quote/", {"region_code": "440300", "items": [{"quantity": 1, "amount": "1"}]}, "region_code", 400),
    ("quote/", {"region_code": "440305", "items": [{"quantity": 0, "amount": "1"}]}, "items[0].quantity", 400),
    ("quote/", {"region_code": "440305", "items": [{"quantity": 1, "amount": "1.001"}]}, "items[0].amount", 400),
    ("quote/", {"region_code": "440305", "items": []}, "items", 400),
    ("quote/", {"region_code": "440305", "method": "air", "items": [{"quantity": 1, "amount": "1"}]}, "method", 400),
    ("quote/", {"region_code": "440305", "method": "expedited", "items": [{"quantity": 1, "amount": "1"}]}, "method", 422),
])
def test_bad_input_names_the_field(owner_a, shop_a, path, body, field, status):
    make_template(shop_a, name="Existing")
    response = post(owner_a, path, body)
    assert response.status_code == status, response.json()
    assert field in response.json()["error"]["fields"]
    with schema_context(shop_a.schema_name):
        assert FreightTemplate.objects.count() == 1


def test_a_second_active_template_is_409(owner_a, shop_a):
    make_template(shop_a)
    response = post(owner_a, "templates/", {**EXPRESS, "name": "Again"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "active_template_exists"


def test_bad_bodies_and_ids_are_4xx(owner_a, shop_a):
    for body in ("[]", "null", "nope", '{"items": "x"}'):
        assert owner_a.post(API + "quote/", body, content_type=JSON).status_code == 400
        assert owner_a.post(API + "templates/", body, content_type=JSON).status_code == 400
    for path in ("templates/99999999999999999999/", "templates/0/"):
        assert owner_a.get(API + path).status_code == 404
        assert owner_a.patch(API + path, {"name": "x"}, content_type=JSON).status_code == 404
        assert owner_a.delete(API + path).status_code == 404


def test_roles_and_anonymous(shop_a, manager_a, clerk_a):
    assert manager_a.get(API + "templates/").status_code == 200
    assert clerk_a.get(API + "templates/").status_code == 403
    assert post(clerk_a, "templates/", EXPRESS).status_code == 403
    assert host_client(shop_a).get(API + "templates/").status_code in (401, 403)


def test_shop_b_cannot_see_or_change_a_templates(shop_a, shop_b, merchant_b):
    first = make_template(shop_a, name="A express")
    second = make_template(shop_a, name="A fast", method="expedited")
    only_b = make_template(shop_b, name="B express")
    on_a = host_client(shop_a, merchant_b)
    assert on_a.get(API + "templates/").status_code == 403
    assert on_a.get(API + f"templates/{first.pk}/").status_code == 403
    assert on_a.patch(API + f"templates/{first.pk}/", {"name": "mine"}, content_type=JSON).status_code == 403
    assert on_a.delete(API + f"templates/{first.pk}/").status_code == 403
    assert post(on_a, "quote/", {"region_code": "440305", "items": [{"quantity": 1, "amount": "1"}]}).status_code == 403
    on_b = host_client(shop_b, merchant_b)
    assert [t["name"] for t in on_b.get(API + "templates/").json()["results"]] == ["B express"]
    assert second.pk != only_b.pk
    assert on_b.get(API + f"templates/{second.pk}/").status_code == 404
    assert on_b.patch(API + f"templates/{second.pk}/", {"name": "mine"}, content_type=JSON).status_code == 404
    assert on_b.delete(API + f"templates/{second.pk}/").status_code == 404
    with schema_context(shop_a.schema_name):
        assert sorted(FreightTemplate.objects.values_list("name", flat=True)) == ["A express", "A fast"]


def test_list_query_count_does_not_grow(owner_a, shop_a):
    make_template(shop_a, rules=[{"regions": ["440000"], "first_price": "6", "additional_price": "1"}])
    owner_a.get(API + "templates/")  # the session's first request also writes the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert owner_a.get(API + "templates/").status_code == 200
        return len([q for q in queries if q["sql"].startswith("SELECT")])

    one = count()
    for method in ("expedited", "same_city"):
        make_template(shop_a, name=method, method=method, rules=[
            {"regions": [code], "first_price": "6", "additional_price": "1"} for code in ("110000", "310000", "650000")])
    assert count() == one


def test_regions_for_the_console_picker(owner_a, clerk_a):
    cities = owner_a.get(API + "regions/?parent=440000")
    assert cities.status_code == 200 and {"code": "440300", "name": "深圳市"} in cities.json()
    assert len(owner_a.get(API + "regions/").json()) == 31
    assert owner_a.get(API + "regions/?parent=nope").status_code == 400
    assert clerk_a.get(API + "regions/").status_code == 403


def test_api_tokens_are_refused(shop_a, merchant_a):
    from tests.tenant_apps.shop.test_api_tokens import issue, on

    _token, secret = issue(shop_a, merchant_a, ["catalog:read", "catalog:write", "stock:read", "stock:write"])
    assert on(shop_a, secret).get(API + "templates/").status_code == 403


def test_openapi_is_clean_with_explicit_operation_ids():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(urlconf="tests.tenant_apps.freight.schema_urls").get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned about the freight API"
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert ids == {"freight_templates_list", "freight_templates_create", "freight_templates_retrieve",
                   "freight_templates_partial_update", "freight_templates_destroy", "freight_quote", "freight_regions_list"}

