"""The stock pages of the console."""

import pytest
from django_tenants.utils import schema_context

from tenant_apps.inventory.models import Location, StockMovement

from .conftest import on_hand

pytestmark = pytest.mark.django_db


def test_pages_render_and_nav_links_stock(owner_a, stock_a):
    for page in ["", "locations/", "stock/?sku=A&in_stock=1", "movements/?kind=sale", "adjust/", "transfer/", "stocktakes/",
                 f"locations/{stock_a['wh']}/"]:
        response = owner_a.get(f"/console/inventory/{page}")
        assert response.status_code == 200, page
    assert b'href="/console/inventory/" class="active"' in owner_a.get("/console/inventory/").content


def test_create_and_reorder_locations(owner_a, shop_a, stock_a):
    r = owner_a.post("/console/inventory/locations/", {"kind": "store", "name": "Mall store", "code": "MS", "sells_online": "on",
                                                       "province_code": "310000", "opening_hours": "10:00-22:00"})
    assert r.status_code == 302
    assert owner_a.post("/console/inventory/locations/", {"name": "Dup", "code": "MS"}).status_code == 409
    owner_a.post(f"/console/inventory/locations/{stock_a['st']}/move/", {"direction": "up"})
    with schema_context(shop_a.schema_name):
        assert list(Location.objects.values_list("code", flat=True)) == ["ST", "WH", "MS"]


def test_adjust_transfer_and_scan_a_stocktake(owner_a, shop_a, stock_a):
    assert owner_a.post("/console/inventory/adjust/", {"sku_code": "A-1", "location_id": stock_a["wh"], "quantity": "1.5",
                                                       "reason": "x"}).status_code == 400
    assert owner_a.post("/console/inventory/adjust/", {"sku_code": "A-1", "location_id": stock_a["wh"], "quantity": "5",
                                                       "reason": "found"}).status_code == 302
    assert owner_a.post("/console/inventory/transfer/", {"sku_code": "A-1", "from_location_id": stock_a["wh"],
                                                         "to_location_id": stock_a["st"], "quantity": "9"}).status_code == 409
    r = owner_a.post("/console/inventory/stocktakes/", {"location_id": stock_a["wh"]})
    url = r["Location"]
    for _ in range(2):
        assert owner_a.post(url, {"code": "6900000000001"}).status_code == 200  # two scans
    page = owner_a.get(url)
    assert b'autofocus' in page.content
    assert owner_a.post(url + "post/").status_code == 302
    assert owner_a.post(url + "post/").status_code == 302  # refused with a message, nothing posted twice
    with schema_context(shop_a.schema_name):
        assert list(StockMovement.objects.filter(kind="stocktake_variance").values_list("quantity", flat=True)) == [-3]
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (2, 0)
