"""Catalog API and pages on the shop host, storefront query counts, tenant and media isolation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from tenant_apps.catalog.models import SKU, Product, ProductImage

from .conftest import add_staff, host_client, image, make_product

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/catalog/"
JSON = "application/json"


def test_api_create_read_and_price(owner_a, shop_a, category):
    response = owner_a.post(f"{API}products/", {
        "title": "Phone", "platform_category_id": category.pk,
        "skus": [{"code": "PH-1", "sale_price": "99.90", "spec": {"colour": "black"}}],
    }, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["skus"][0]["sale_price"]) == ("draft", "99.90")
    sku_id = body["skus"][0]["id"]
    response = owner_a.patch(f"{API}skus/{sku_id}/prices/", {"sale_price": "89.999"}, content_type=JSON)
    assert (response.status_code, list(response.json()["error"]["fields"])) == (400, ["sale_price"])
    response = owner_a.patch(f"{API}skus/{sku_id}/prices/", {"sale_price": "89.90"}, content_type=JSON)
    assert response.json()["sale_price"] == "89.90"
    listed = owner_a.get(f"{API}products/?status=draft&q=PH-1").json()
    assert [p["id"] for p in listed["results"]] == [body["id"]]


def test_api_bad_input_is_4xx(owner_a, shop_a):
    bad_gtin = owner_a.post(f"{API}products/", {"title": "Phone", "skus": [
        {"code": "A", "sale_price": "1", "gtin": "4006381333932"}]}, content_type=JSON)
    assert (bad_gtin.status_code, list(bad_gtin.json()["error"]["fields"])) == (400, ["skus[0].gtin"])
    unknown = owner_a.post(f"{API}products/", {"title": "Phone", "shop_category_ids": [42]}, content_type=JSON)
    assert (unknown.status_code, list(unknown.json()["error"]["fields"])) == (400, ["shop_category_ids"])
    scripted = owner_a.post(f"{API}products/", {"title": "Phone", "description": "<script>x</script><p>ok</p>"},
                            content_type=JSON)
    assert (scripted.status_code, scripted.json()["description"]) == (201, "<p>ok</p>")
    pid = scripted.json()["id"]
    fake = owner_a.post(f"{API}products/{pid}/images/", {"image": SimpleUploadedFile("a.png", b"GIF89a-no")})
    assert (fake.status_code, list(fake.json()["error"]["fields"])) == (400, ["image"])
    ok = owner_a.post(f"{API}products/{pid}/images/", {"image": image()})
    assert ok.status_code == 201 and len(ok.json()["product"]["images"]) == 1
    with schema_context(shop_a.schema_name):
        assert ProductImage.objects.count() == 1


def test_console_pages(owner_a, shop_a, merchant_a):
    product = make_product(shop_a, merchant_a)
    assert owner_a.get("/console/catalog/").status_code == 200
    page = owner_a.get(f"/console/catalog/{product.pk}/")
    assert page.status_code == 200 and b"Submit for review" in page.content
    response = owner_a.post(f"/console/catalog/{product.pk}/variants/",
                            {"axes": "colour: black, white\nsize: M", "code_prefix": "V", "sale_price": "10"})
    assert response.status_code == 302
    with schema_context(shop_a.schema_name):
        assert sorted(SKU.objects.filter(is_active=True).values_list("code", flat=True)) == ["V-1", "V-2"]
    created = owner_a.post("/console/catalog/new/", {"title": "Second"})
    assert created.status_code == 302
    assert owner_a.post("/console/catalog/categories/", {"name": ""}).status_code == 400


def test_storefront_shows_only_listed_with_constant_queries(shop_a, merchant_a, django_assert_num_queries, settings):
    settings.STOREFRONT_PAGE_CACHE = False  # counts the rendering's queries
    client = host_client(shop_a)
    draft = make_product(shop_a, merchant_a, title="Draft one")
    make_product(shop_a, merchant_a, title="Listed A", listed=True, skus=1)
    assert client.get(f"/products/{draft.pk}/").status_code == 404
    connection.set_schema_to_public()
    response = client.get("/products/")
    assert b"Listed A" in response.content and b"Draft one" not in response.content
    with CaptureQueriesContext(connection) as small:
        client.get("/products/")
    for n in range(4):
        make_product(shop_a, merchant_a, title=f"More {n}", listed=True, skus=3)
    connection.set_schema_to_public()
    with django_assert_num_queries(len(small)):
        page = client.get("/products/")
    assert page.content.count(b'class="card" href="/products/') == 5


def test_product_page_queries_do_not_grow_with_variants(shop_a, merchant_a, django_assert_num_queries, settings):
    settings.STOREFRONT_PAGE_CACHE = False
    client = host_client(shop_a)
    one = make_product(shop_a, merchant_a, title="One", listed=True, skus=1)
    many = make_product(shop_a, merchant_a, title="Many", listed=True, skus=6)
    client.get(f"/products/{many.pk}/")  # warm the host's cached lookups
    connection.set_schema_to_public()
    with CaptureQueriesContext(connection) as first:
        page = client.get(f"/products/{one.pk}/")
    assert page.status_code == 200 and "¥100.50".encode() in page.content and b"Out of stock" in page.content  # nothing received yet
    with django_assert_num_queries(len(first)):
        page = client.get(f"/products/{many.pk}/")
    assert page.content.count(b'type="radio" name="sku_id"') == 6


def test_merchant_b_cannot_use_a_catalog(owner_b, shop_a, shop_b, merchant_a, merchant_b):
    product = make_product(shop_a, merchant_a, listed=True)
    outsider = host_client(shop_a, merchant_b)
    assert outsider.get("/console/catalog/").status_code == 403
    assert outsider.get(f"{API}products/").status_code == 403
    assert outsider.post(f"{API}products/", {"title": "Mole"}, content_type="application/json").status_code == 403
    with schema_context(shop_a.schema_name):
        assert Product.objects.count() == 1
    # A's ids and A's media mean nothing on B's host.
    assert owner_b.get(f"/products/{product.pk}/").status_code == 404
    assert owner_b.get(f"{API}products/{product.pk}/").status_code == 404
    with schema_context(shop_a.schema_name):
        url = "/media/" + ProductImage.objects.get().image.name
    assert host_client(shop_a).get(url).status_code == 200
    assert host_client(shop_b).get(url).status_code == 404


def test_warehouse_role_has_no_catalog(shop_a, make_user):
    user = make_user(email="wh@alpha.example")
    add_staff(shop_a, user, "warehouse")
    client = host_client(shop_a, user)
    assert client.get("/console/catalog/").status_code == 403
    assert b"/console/catalog/" not in client.get("/console/").content


def test_shop_home_shows_its_newest_listed_products_only(shop_a, merchant_a, category):
    from tests.conftest import client_for, shop_host

    from .conftest import make_product

    make_product(shop_a, merchant_a, category_id=category.pk, listed=True, title="Listed Teapot")
    make_product(shop_a, merchant_a, category_id=category.pk, listed=False, title="Draft Teacup")
    html = client_for(shop_host(shop_a)).get("/").content.decode()
    assert "Listed Teapot" in html and "Draft Teacup" not in html
    assert 'href="/products/"' in html
