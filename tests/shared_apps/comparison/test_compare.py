"""The compare page and API: 2–4 products side by side by their typed attributes with units,
differences marked; the compare list in the session; bad input is a 4xx, never a 500."""

from decimal import Decimal

import pytest

from shared_apps.comparison import services
from shared_apps.comparison.models import GroupMember
from shared_apps.taxonomy.models import AttributeDefinition
from tenants.models import ShopStatus
from tests.conftest import MALL, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def phone_attributes(phones):
    for sort, (code, name, name_en, value_type, unit, extra) in enumerate([
            ("storage", "存储容量", "Storage", "integer", "GB", {"is_key": True}),
            ("screen_size", "屏幕尺寸", "Screen size", "decimal", "英寸", {}),
            ("nfc", "NFC", "NFC", "boolean", "", {}),
            ("colour", "颜色", "Colour", "choice", "", {"is_spec": True, "choices": ["雅川青", "白沙银", "黑色钛金属"]})]):
        AttributeDefinition.objects.create(category=phones, code=code, name=name, name_en=name_en,
                                           value_type=value_type, unit=unit, sort=sort, **extra)
    return phones


@pytest.fixture
def two_phones(shops, offer, phone_attributes):
    """Mate 60 Pro (two shops, two colours) and iPhone 15 Pro (one shop); their group ids."""
    mate = [offer(shop, f"华为 Mate 60 Pro 512GB {colour}", brand="华为", model="Mate 60 Pro", price=price,
                  category=phone_attributes, attributes={"storage": 512, "screen_size": "6.82", "nfc": True},
                  spec={"颜色": colour})
            for shop, colour, price in [(shops[0], "雅川青", "6999.00"), (shops[1], "白沙银", "6899.00")]]
    iphone = offer(shops[2], "Apple iPhone 15 Pro 256GB", brand="Apple", model="iPhone 15 Pro", price="7999.00",
                   category=phone_attributes, attributes={"storage": 256, "screen_size": "6.1", "nfc": True},
                   spec={"颜色": "黑色钛金属"})
    shops[1].rating, shops[1].rating_count = Decimal("4.50"), 30
    shops[1].save(update_fields=["rating", "rating_count"])
    services.group_offers()
    groups = [GroupMember.objects.get(offer=mate[0]).group_id, GroupMember.objects.get(offer=iphone).group_id]
    assert GroupMember.objects.get(offer=mate[1]).group_id == groups[0]
    return groups


def test_two_products_side_by_side_with_units_and_differences(two_phones, django_assert_max_num_queries):
    mate, iphone = two_phones
    with django_assert_max_num_queries(12):
        body = client_for(MALL).get(f"{API}compare/", {"g": [mate, iphone]}).json()
    columns = [(c["group"]["id"], c["lowest_price"], c["shop_count"], c["rating"]) for c in body["columns"]]
    assert columns == [(mate, "6899.00", 2, "4.50"), (iphone, "7999.00", 1, None)]
    rows = {r["code"]: (r["values"], r["differs"], r["unit"]) for r in body["rows"]}
    assert rows == {
        "storage": (["512 GB", "256 GB"], True, "GB"),
        "screen_size": (["6.82 英寸", "6.1 英寸"], True, "英寸"),
        "nfc": (["Yes", "Yes"], False, ""),
        "colour": (["雅川青 / 白沙银", "黑色钛金属"], True, ""),
    }
    assert [r["code"] for r in body["rows"]] == ["storage", "screen_size", "nfc", "colour"]  # the template's order


def test_the_compare_page_highlights_differences(two_phones):
    mate, iphone = two_phones
    response = client_for(MALL).get("/compare/", {"g": [mate, iphone]})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<tr class="changed"><th scope="row">Storage' in html
    assert '<tr><th scope="row">NFC' in html  # the same: not highlighted
    assert "512 GB" in html and "¥6,899.00" in html and "No rating yet" in html and "4.50 / 5" in html


@pytest.mark.parametrize(("query", "status", "needle"), [
    ({"g": ["1"]}, 400, "at least two"),
    ({}, 400, "at least two"),
    ({"g": ["1", "2", "3", "4", "5"]}, 400, "at most 4"),
    ({"g": ["1", "abc"]}, 400, "whole numbers"),
    ({"g": ["1", "-2"]}, 400, "whole numbers"),
    ({"g": ["1", "1.5"]}, 400, "whole numbers"),
    ({"g": ["1", "99999999999999999999999"]}, 400, "whole numbers"),
    ({"g": ["1", ""]}, 400, "whole numbers"),
    ({"g": ["7", "7"]}, 400, "at least two"),
])
def test_bad_compare_input_is_a_400_naming_g(two_phones, query, status, needle):
    response = client_for(MALL).get(f"{API}compare/", query)
    assert response.status_code == status
    assert needle in response.json()["error"]["message"] and "g" in response.json()["error"]["fields"]
    if query:  # the page without any g shows the compare list instead
        page = client_for(MALL).get("/compare/", query)
        assert page.status_code == status and needle in page.content.decode()


def test_unknown_or_hidden_products_are_a_404_naming_them(two_phones, shops):
    mate, iphone = two_phones
    response = client_for(MALL).get(f"{API}compare/", {"g": [mate, 987654]})
    assert response.status_code == 404 and "987654" in response.json()["error"]["message"]
    shops[2].status = ShopStatus.SUSPENDED
    shops[2].save(update_fields=["status"])
    response = client_for(MALL).get(f"{API}compare/", {"g": [mate, iphone]})
    assert response.status_code == 404 and str(iphone) in response.json()["error"]["message"]
    assert client_for(MALL).get("/compare/", {"g": [mate, iphone]}).status_code == 404


def test_the_compare_list_holds_at_most_four(shops, offer):
    for n in range(5):
        offer(shops[0], f"华为 Mate {n + 40} Pro", brand="华为", model=f"Mate {n + 40} Pro")
    services.group_offers()
    groups = sorted(GroupMember.objects.values_list("group_id", flat=True))
    client = client_for(MALL)
    back = "/compare/?g=0"  # a page that shows the messages without entering the shops' schemas
    for group in groups[:4]:
        response = client.post("/compare/add/", {"group_id": group, "next": back}, follow=True)
        assert "Added to your compare list" in response.content.decode()
    response = client.post("/compare/add/", {"group_id": groups[4], "next": back}, follow=True)
    assert "compare at most 4 products" in response.content.decode()
    assert client.session["comparison_compare"] == groups[:4]
    response = client.post("/compare/add/", {"group_id": groups[0], "next": back}, follow=True)
    assert "already in your compare list" in response.content.decode()
    page = client.get("/compare/")  # no g: the list is compared
    assert page.status_code == 200 and page.content.decode().count('class="linklike">Remove<') == 4
    client.post("/compare/remove/", {"group_id": groups[0]})
    assert client.session["comparison_compare"] == groups[1:4]
    for bad in ["abc", "", "-1", "999999"]:
        response = client.post("/compare/add/", {"group_id": bad}, follow=True)
        assert "No such product" in response.content.decode()
    client.post("/compare/clear/")
    assert client.session["comparison_compare"] == []
    assert "Add at least two products" in client.get("/compare/").content.decode()


def test_the_compare_list_ignores_a_foreign_next_url(shops, offer):
    offer(shops[0], "华为 Mate 60 Pro", brand="华为", model="Mate 60 Pro")
    services.group_offers()
    group = GroupMember.objects.get().group_id
    response = client_for(MALL).post("/compare/add/", {"group_id": group, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/products/{group}/"


def test_a_product_no_shop_offers_any_more_leaves_the_compare_list(two_phones, shops):
    mate, _iphone = two_phones
    client = client_for(MALL)
    for group in two_phones:
        client.post("/compare/add/", {"group_id": group, "next": "/compare/?g=0"})
    shops[2].status = ShopStatus.SUSPENDED
    shops[2].save(update_fields=["status"])
    page = client.get("/compare/")
    assert page.status_code == 200 and "Add at least two products" in page.content.decode()
    assert client.session["comparison_compare"] == [mate]
