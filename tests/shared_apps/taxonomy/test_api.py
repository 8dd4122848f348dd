"""Operator taxonomy API (/api/v1/ops/taxonomy/) and the public read API (/api/v1/taxonomy/)."""

import pytest

from shared_apps.taxonomy import services
from shared_apps.taxonomy.models import AttributeDefinition, Category, StandardProduct
from tests.conftest import MALL, OPS, client_for

from .conftest import EAN, UPC

pytestmark = pytest.mark.django_db
API = "/api/v1/ops/taxonomy"


def post(client, path, data=None):
    return client.post(f"{API}{path}", data or {}, content_type="application/json")


def test_category_crud_over_the_api(operator, digital):
    client = client_for(OPS, operator)
    created = post(client, "/categories/create/", {"parent_id": digital.pk, "code": "cameras", "name": "相机",
                                                   "name_en": "Cameras", "sort": 3})
    assert created.status_code == 201
    body = created.json()
    category = Category.objects.get(code="cameras")
    assert body == {"id": category.pk, "parent_id": digital.pk, "code": "cameras", "name": "相机",
                    "name_en": "Cameras", "level": 2, "sort": 3, "is_active": True,
                    "path": ["digital", "cameras"], "attributes": []}
    attr = post(client, f"/categories/{category.pk}/attributes/create/", {
        "code": "megapixels", "name": "像素", "name_en": "Megapixels", "value_type": "decimal", "unit": "MP",
        "is_key": True})
    assert attr.status_code == 201
    assert attr.json()["unit"] == "MP"
    renamed = post(client, f"/categories/{category.pk}/update/", {"name": "数码相机", "name_en": "Cameras", "sort": 1})
    assert (renamed.status_code, renamed.json()["name"]) == (200, "数码相机")
    frozen = post(client, f"/categories/{category.pk}/update/", {"name": "x", "name_en": "x", "code": "camera"})
    assert frozen.status_code == 409
    assert frozen.json()["error"]["code"] == "code_in_use"
    assert list(frozen.json()["error"]["fields"]) == ["code"]
    off = post(client, f"/categories/{category.pk}/deactivate/", {"reason": "合并"})
    assert off.json()["is_active"] is False
    on = post(client, f"/categories/{category.pk}/activate/")
    assert on.json()["is_active"] is True
    tree = client.get(f"{API}/categories/").json()
    assert [n["code"] for n in tree][:2] == ["digital", "cameras"]
    assert client.get(f"{API}/categories/{category.pk}/").json()["attributes"][0]["code"] == "megapixels"
    assert client.get(f"{API}/categories/999999/").status_code == 404


@pytest.mark.parametrize(("path", "data", "status", "field"), [
    ("/categories/create/", {"parent_id": 0, "code": "x1", "name": "x", "name_en": "x"}, 400, "parent_id"),
    ("/categories/create/", {"parent_id": "DIGITAL", "code": "x1", "name": "x", "name_en": "x"}, 400, "parent_id"),
    ("/categories/create/", {"code": "digital", "name": "x", "name_en": "x", "parent_id": None}, 400, "parent_id"),
    ("/categories/create/", {"parent_id": "{digital}", "code": "phones", "name": "x", "name_en": "x"}, 400, "code"),
    ("/categories/create/", {"parent_id": "{digital}", "code": "x1", "name": "x" * 41, "name_en": "x"}, 400, "name"),
    ("/categories/{phones}/attributes/create/", {"code": "colour", "name": "x", "name_en": "x",
                                                 "value_type": "text"}, 400, "code"),
    ("/categories/{phones}/attributes/create/", {"code": "ram", "name": "x", "name_en": "x",
                                                 "value_type": "choice"}, 400, "choices"),
    ("/categories/{phones}/attributes/create/", {"code": "ram", "name": "x", "name_en": "x",
                                                 "value_type": "float"}, 400, "value_type"),
    ("/standard-products/create/", {"category_id": 999999, "brand": "A", "model": "B"}, 400, "category_id"),
    ("/standard-products/create/", {"category_id": "{smartphones}", "brand": "A", "model": "B",
                                    "gtins": ["6901234567893"]}, 400, "gtins[0]"),
    ("/standard-products/create/", {"category_id": "{smartphones}", "brand": "A", "model": "B",
                                    "attributes": {"network": ["3G"]}}, 400, "attributes.network"),
    ("/standard-products/create/", {"category_id": "{smartphones}", "brand": "A", "model": "B",
                                    "attributes": "storage"}, 400, "attributes"),
    ("/standard-products/create/", {"category_id": "{smartphones}", "brand": "A", "model": "B",
                                    "gtins": "690"}, 400, "gtins"),
])
def test_bad_input_is_a_4xx_naming_the_field(operator, digital, phones, path, data, status, field):
    ids = {"digital": digital.pk, "phones": phones[0].pk, "smartphones": phones[1].pk}
    path = path.format(**ids)
    data = {k: (int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v) for k, v in data.items()}
    before = (Category.objects.count(), AttributeDefinition.objects.count(), StandardProduct.objects.count())
    response = post(client_for(OPS, operator), path, data)
    assert response.status_code == status, response.content
    assert field in response.json()["error"]["fields"], response.json()
    assert (Category.objects.count(), AttributeDefinition.objects.count(), StandardProduct.objects.count()) == before


def test_standard_products_over_the_api(operator, smartphones, shop_a):
    client = client_for(OPS, operator)
    created = post(client, "/standard-products/create/", {
        "category_id": smartphones.pk, "brand": "Apple", "model": "iPhone 15", "gtins": [EAN],
        "attributes": {"storage": "128", "screen_size": 6.1}})
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in ("brand", "model", "gtins", "attributes", "status")} == {
        "brand": "Apple", "model": "iPhone 15", "gtins": ["06901234567892"],
        "attributes": {"screen_size": "6.1", "storage": 128}, "status": "active"}
    assert body["category"]["code"] == "smartphones"
    duplicate = post(client, "/standard-products/create/", {"category_id": smartphones.pk, "brand": "apple",
                                                            "model": "IPHONE15"})
    assert (duplicate.status_code, list(duplicate.json()["error"]["fields"])) == (409, ["model"])
    proposal, _ = services.standard_product_propose(shop_id=shop_a.pk, category_id=smartphones.pk, brand="Apple",
                                                    model="iPhone 15 Plus", gtins=[UPC])
    listed = client.get(f"{API}/standard-products/?status=proposed").json()
    assert [r["id"] for r in listed["results"]] == [proposal.pk]
    assert [r["id"] for r in client.get(f"{API}/standard-products/?q=690 1234 567892").json()["results"]] == [
        body["id"]]
    assert client.get(f"{API}/standard-products/?q=iphone").json()["count"] == 2
    assert client.get(f"{API}/standard-products/?status=bogus").status_code == 400
    merged = post(client, f"/standard-products/{proposal.pk}/merge/", {"into_id": body["id"]})
    assert merged.json()["gtins"] == ["06901234567892", "00036000291452"]
    again = post(client, f"/standard-products/{proposal.pk}/approve/")
    assert (again.status_code, again.json()["error"]["code"]) == (409, "invalid_transition")
    updated = post(client, f"/standard-products/{body['id']}/update/", {"brand": "Apple", "model": "iPhone 15",
                                                                        "gtins": [EAN], "attributes": {}})
    assert updated.json()["gtins"] == ["06901234567892"]
    assert client.get(f"{API}/standard-products/{body['id']}/").json()["id"] == body["id"]
    assert client.get(f"{API}/standard-products/999999/").status_code == 404


def test_roles_on_the_api(auditor, finance, service_agent, shopper, digital):
    create = {"parent_id": digital.pk, "code": "drones", "name": "无人机", "name_en": "Drones"}
    for person in (finance, service_agent):
        client = client_for(OPS, person)
        assert client.get(f"{API}/categories/").status_code == 200
        assert client.get(f"{API}/standard-products/").status_code == 200
        refused = post(client, "/categories/create/", create)
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "permission_denied")
    assert client_for(OPS, shopper).get(f"{API}/categories/").status_code == 403
    assert client_for(OPS).get(f"{API}/categories/").status_code in (401, 403)
    assert post(client_for(OPS, auditor), "/categories/create/", create).status_code == 201


def test_public_read_api(operator, smartphones, digital):
    services.standard_product_create(actor=operator, category_id=smartphones.pk, brand="Apple", model="iPhone 15",
                                     gtins=[EAN], attributes={"storage": 128})
    off = services.category_create(actor=operator, parent_id=digital.pk, code="retired", name="停用",
                                   name_en="Retired")
    services.category_set_active(actor=operator, category_id=off.pk, active=False)
    client = client_for(MALL)  # anonymous
    tree = client.get("/api/v1/taxonomy/categories/")
    assert tree.status_code == 200
    nodes = {n["code"]: n for n in tree.json()}
    assert "retired" not in nodes
    assert nodes["smartphones"]["path"] == ["digital", "phones", "smartphones"]
    assert [a["code"] for a in nodes["smartphones"]["attributes"]] == [
        "colour", "screen_size", "storage", "network", "nfc", "chip"]
    detail = client.get(f"/api/v1/taxonomy/categories/{smartphones.pk}/").json()
    assert detail["attributes"][1] == {
        "id": detail["attributes"][1]["id"], "category_id": smartphones.parent_id, "code": "screen_size",
        "name": "屏幕尺寸", "name_en": "Screen size", "value_type": "decimal", "unit": "inch", "choices": [],
        "required": True, "is_key": True, "is_spec": False, "sort": 0}
    assert client.get(f"/api/v1/taxonomy/categories/{off.pk}/").status_code == 404
    lookup = "/api/v1/taxonomy/standard-products/lookup/"
    assert client.get(lookup, {"gtin": EAN}).json()["model"] == "iPhone 15"
    assert client.get(lookup, {"brand": "apple", "model": "iphone-15"}).json()["gtins"] == ["06901234567892"]
    bad = client.get(lookup, {"gtin": "6901234567893"})
    assert (bad.status_code, list(bad.json()["error"]["fields"])) == (400, ["gtin"])
    assert client.get(lookup).status_code == 400
    assert client.get(lookup, {"gtin": UPC}).status_code == 404
