"""The operators' comparison pages and API: groups with search, members, merge, split and the
similarity threshold; administrators change, auditors read, everyone else is refused."""

from decimal import Decimal

import pytest

from shared_apps.accounts.models import OperatorRole
from shared_apps.audit.models import AuditEntry
from shared_apps.comparison import services
from shared_apps.comparison.models import ComparisonGroup, GroupMember, GroupSettings
from tests.conftest import OPS, client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/ops/comparison/"


@pytest.fixture
def finance(make_user):
    return make_user(email="finance@example.com", operator_role=OperatorRole.FINANCE)


@pytest.fixture
def groups(shops, offer, phones):
    """Two groups that are one product (an operator sees A3104 is the iPhone 15 Pro) and a third."""
    rows = {
        "iphone": offer(shops[0], "Apple iPhone 15 Pro 256GB", brand="Apple", model="iPhone 15 Pro", category=phones,
                        gtin="0194253401230"),
        "a3104": offer(shops[1], "苹果 iPhone15Pro 国行 256G", brand="苹果", model="A3104", category=phones),
        "mate": offer(shops[2], "华为 Mate 60 Pro 512GB", brand="华为", model="Mate 60 Pro", category=phones),
        "mate2": offer(shops[0], "HUAWEI Mate60 Pro 512G", brand="HUAWEI", model="mate60pro", category=phones),
    }
    services.group_offers()
    return {name: GroupMember.objects.get(offer=row).group_id for name, row in rows.items()}, rows


def test_who_may_open_the_pages(groups, operator, auditor, finance, shopper):
    ids, _rows = groups
    for path in ["/comparison/", f"/comparison/groups/{ids['mate']}/", "/comparison/settings/"]:
        assert client_for(OPS, operator).get(path).status_code == 200
        assert client_for(OPS, auditor).get(path).status_code == 200
        assert client_for(OPS, finance).get(path).status_code == 403
        assert client_for(OPS, shopper).get(path).status_code == 403
        assert client_for(OPS).get(path).status_code == 302
    assert "Merge the ticked groups" in client_for(OPS, operator).get("/comparison/").content.decode()
    assert "Merge the ticked groups" not in client_for(OPS, auditor).get("/comparison/").content.decode()
    assert 'href="/comparison/" class="active"' in client_for(OPS, auditor).get("/comparison/").content.decode()
    assert 'href="/comparison/"' not in client_for(OPS, finance).get("/").content.decode()  # the nav hides it


@pytest.mark.parametrize(("q", "expected"), [
    ("mate 60", {"mate"}), ("HUAWEI", {"mate"}), ("a3104", {"a3104"}), ("iphone", {"iphone", "a3104"}),
    ("194253401230", {"iphone"}), ("00194253401230", {"iphone"}), ("nothing like it", set()),
    ("' OR 1=1 --", set()), ("%", set()),
])
def test_search_by_title_brand_model_or_gtin(groups, operator, q, expected):
    ids, _rows = groups
    body = client_for(OPS, operator).get(f"{API}groups/", {"q": q}).json()
    assert {r["id"] for r in body["results"]} == {ids[name] for name in expected}


def test_search_finds_the_standard_products_gtin(shops, offer, operator, phones):
    from shared_apps.taxonomy.models import StandardProduct, StandardProductGtin

    product = StandardProduct.objects.create(category=phones, brand="华为", model="Mate 60 Pro", key="华为|mate60pro")
    StandardProductGtin.objects.create(product=product, gtin="06901234567892")
    row = offer(shops[0], "华为 Mate 60 Pro", standard_product_id=product.pk)
    services.group_offers()
    body = client_for(OPS, operator).get(f"{API}groups/", {"q": "6901234567892"}).json()
    assert [r["id"] for r in body["results"]] == [GroupMember.objects.get(offer=row).group_id]
    page = client_for(OPS, operator).get("/comparison/", {"q": "6901234567892"}).content.decode()
    assert "华为 Mate 60 Pro" in page


def test_the_list_costs_the_same_queries_for_few_or_many_groups(groups, operator, shops, offer,
                                                                 django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(OPS, operator)
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}groups/")
    for n in range(20):
        offer(shops[n % 3], f"乐高 积木 {n} 号", brand="LEGO", model=f"{n}00")
    services.group_offers()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"{API}groups/").json()["count"] == 23


@pytest.mark.parametrize(("query", "field"), [({"kind": "nope"}, "kind"), ({"locked": "maybe"}, "locked"),
                                              ({"q": "x" * 101}, "q"), ({"page": "999"}, "page")])
def test_bad_filters_are_refused(groups, operator, query, field):
    response = client_for(OPS, operator).get(f"{API}groups/", query)
    assert response.status_code in (400, 404) and field in response.json()["error"]["fields"]
    if field != "page":
        assert client_for(OPS, operator).get("/comparison/", query).status_code == 400


def test_the_detail_lists_members_with_suspended_shops_marked(groups, operator, auditor, shops):
    from tenants.models import ShopStatus

    ids, rows = groups
    shops[2].status = ShopStatus.SUSPENDED
    shops[2].save(update_fields=["status"])
    body = client_for(OPS, auditor).get(f"{API}groups/{ids['mate']}/").json()
    assert sorted((m["offer_id"], m["shop_status"], m["price"]) for m in body["members"]) == sorted([
        (rows["mate"].pk, "suspended", "5999.00"), (rows["mate2"].pk, "active", "5999.00")])
    assert body["member_count"] == 2 and body["mall_url"].endswith(f"/products/{ids['mate']}/")
    assert client_for(OPS, operator).get(f"{API}groups/987654/").status_code == 404
    assert client_for(OPS, operator).get("/comparison/groups/987654/").status_code == 404


def test_merge_through_the_page(groups, operator, auditor):
    ids, rows = groups
    form = {"group_ids": [ids["a3104"], ids["iphone"]], "reason": "A3104 是 iPhone 15 Pro"}
    assert client_for(OPS, auditor).post("/comparison/merge/", form).status_code == 403
    assert ComparisonGroup.objects.filter(pk=ids["a3104"]).exists()
    response = client_for(OPS, operator).post("/comparison/merge/", form)
    keeper = min(ids["a3104"], ids["iphone"])
    assert response.status_code == 302 and response["Location"] == f"/comparison/groups/{keeper}/"
    assert set(GroupMember.objects.filter(offer__in=[rows["iphone"], rows["a3104"]]).values_list("group_id",
                                                                                                 flat=True)) == {keeper}
    entry = AuditEntry.objects.get(action="comparison.group_merge")
    assert (entry.actor, entry.reason) == (operator, "A3104 是 iPhone 15 Pro")


@pytest.mark.parametrize(("form", "status", "needle"), [
    ({"group_ids": []}, 400, "at least two"),
    ({"group_ids": ["1"]}, 400, "at least two"),
    ({"group_ids": ["abc", "1"]}, 400, "choose from the list"),
    ({"group_ids": ["987654", "987655"]}, 404, "No such comparison group"),
    ({"group_ids": ["GROUP", "GROUP2"], "reason": "x" * 301}, 400, "300 characters"),
])
def test_bad_merges_on_the_page_change_nothing(groups, operator, form, status, needle):
    ids, _rows = groups
    form = {**form, "group_ids": [ids["iphone"] if v == "GROUP" else ids["a3104"] if v == "GROUP2" else v
                                  for v in form["group_ids"]]}
    before = sorted(GroupMember.objects.values_list("offer_id", "group_id"))
    response = client_for(OPS, operator).post("/comparison/merge/", form)
    assert response.status_code == status and needle in response.content.decode()
    assert sorted(GroupMember.objects.values_list("offer_id", "group_id")) == before
    assert not AuditEntry.objects.filter(action="comparison.group_merge").exists()


def test_split_through_the_page(groups, operator, auditor):
    ids, rows = groups
    mate = ids["mate"]
    form = {"offer_ids": [rows["mate2"].pk], "reason": "翻新机"}
    assert client_for(OPS, auditor).post(f"/comparison/groups/{mate}/split/", form).status_code == 403
    response = client_for(OPS, operator).post(f"/comparison/groups/{mate}/split/", form)
    new = GroupMember.objects.get(offer=rows["mate2"]).group_id
    assert response.status_code == 302 and new != mate and response["Location"] == f"/comparison/groups/{new}/"
    refused = client_for(OPS, operator).post(f"/comparison/groups/{mate}/split/", {"offer_ids": [rows["mate"].pk]})
    assert refused.status_code == 409 and "Leave at least one offer" in refused.content.decode()
    for bad in [[], ["abc"], [str(rows["iphone"].pk)]]:
        response = client_for(OPS, operator).post(f"/comparison/groups/{mate}/split/", {"offer_ids": bad})
        assert response.status_code == 400
    assert client_for(OPS, operator).post("/comparison/groups/987654/split/", form).status_code == 404
    assert AuditEntry.objects.filter(action="comparison.group_split").count() == 1


def test_the_threshold_form(operator, auditor):
    client = client_for(OPS, operator)
    for bad in ["abc", "0.1", "2", "", "0.555"]:
        response = client.post("/comparison/settings/", {"similarity_threshold": bad})
        assert response.status_code == 400, bad
    assert not AuditEntry.objects.exists()
    assert client_for(OPS, auditor).post("/comparison/settings/", {"similarity_threshold": "0.8"}).status_code == 403
    assert client.post("/comparison/settings/", {"similarity_threshold": "0.75"}).status_code == 302
    assert GroupSettings.objects.get().similarity_threshold == Decimal("0.75")
    assert AuditEntry.objects.get(action="comparison.settings_update").after == {"similarity_threshold": "0.75"}
    assert "0.75" in client_for(OPS, auditor).get("/comparison/settings/").content.decode()


def test_merge_split_and_settings_through_the_api(groups, operator, auditor, finance, shopper):
    ids, rows = groups
    body = {"group_ids": [ids["iphone"], ids["a3104"]], "reason": "同一款"}
    for user, status in [(auditor, 403), (finance, 403), (shopper, 403)]:
        assert client_for(OPS, user).post(f"{API}groups/merge/", body, content_type="application/json").status_code == status
    assert client_for(OPS).post(f"{API}groups/merge/", body, content_type="application/json").status_code in (401, 403)
    merged = client_for(OPS, operator).post(f"{API}groups/merge/", body, content_type="application/json")
    assert merged.status_code == 200 and merged.json()["id"] == ids["iphone"] and merged.json()["locked"] is True
    assert {m["offer_id"] for m in merged.json()["members"]} == {rows["iphone"].pk, rows["a3104"].pk}
    split = client_for(OPS, operator).post(f"{API}groups/{ids['iphone']}/split/", {"offer_ids": [rows["a3104"].pk]},
                                           content_type="application/json")
    assert split.status_code == 201 and [m["offer_id"] for m in split.json()["members"]] == [rows["a3104"].pk]
    assert client_for(OPS, auditor).post(f"{API}groups/{ids['iphone']}/split/", {"offer_ids": [rows["iphone"].pk]},
                                         content_type="application/json").status_code == 403
    assert client_for(OPS, auditor).get(f"{API}settings/").json()["similarity_threshold"] == "0.60"
    assert client_for(OPS, auditor).patch(f"{API}settings/", {"similarity_threshold": "0.7"},
                                          content_type="application/json").status_code == 403
    changed = client_for(OPS, operator).patch(f"{API}settings/", {"similarity_threshold": "0.70"},
                                              content_type="application/json")
    assert changed.status_code == 200 and changed.json()["similarity_threshold"] == "0.70"
    assert changed.json()["updated_by_user_id"] == operator.pk


@pytest.mark.parametrize(("path", "body", "field"), [
    ("groups/merge/", {"group_ids": "1,2"}, "group_ids"),
    ("groups/merge/", {"group_ids": [1]}, "group_ids"),
    ("groups/merge/", {"group_ids": ["a", "b"]}, "group_ids[0]"),
    ("groups/merge/", {"group_ids": [0, -1]}, "group_ids[0]"),
    ("groups/merge/", {}, "group_ids"),
    ("groups/merge/", {"group_ids": [1, 2], "reason": "x" * 301}, "reason"),
    ("groups/GROUP/split/", {"offer_ids": []}, "offer_ids"),
    ("groups/GROUP/split/", {"offer_ids": [987654]}, "offer_ids"),
    ("groups/GROUP/split/", {"offer_ids": "all"}, "offer_ids"),
    ("settings/", {"similarity_threshold": "abc"}, "similarity_threshold"),
    ("settings/", {"similarity_threshold": "0.1"}, "similarity_threshold"),
    ("settings/", {"similarity_threshold": "1.5"}, "similarity_threshold"),
    ("settings/", {}, "similarity_threshold"),
])
def test_bad_api_input_is_a_400_naming_the_field(groups, operator, path, body, field):
    ids, _rows = groups
    client = client_for(OPS, operator)
    url = API + path.replace("GROUP", str(ids["mate"]))
    response = client.patch(url, body, content_type="application/json") if path == "settings/" else \
        client.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.json()
    assert any(key.startswith(field.split("[")[0]) for key in response.json()["error"]["fields"]), response.json()
    assert not AuditEntry.objects.exists()
