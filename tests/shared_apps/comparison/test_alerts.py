"""Price-drop alerts end to end: subscribing (page and API, every bad input), a price change
through the offer index firing the alert once (in-app notification and real e-mail), re-arming,
the sweep, concurrency, and one shopper never reaching another's alerts or notifications."""

from decimal import Decimal

import pytest
from django.db import connection

from shared_apps.comparison import alerts, services, tasks
from shared_apps.comparison.models import (
    AlertStatus,
    ComparisonGroup,
    GroupMember,
    Notification,
    PriceAlert,
)
from shared_apps.offers.interface import OfferPriceData, prices_update
from tenants.models import ShopStatus
from tests.conftest import MALL, client_for, run_threads

pytestmark = pytest.mark.django_db
API = "/api/v1/"


@pytest.fixture
def watched(shops, offer, phones):
    """华为 Mate 60 Pro in two shops, ¥5999 (shop 0) and ¥6099 (shop 1); (group id, offers)."""
    rows = [offer(shop, "华为 Mate 60 Pro 512GB", standard_product_id=60, category=phones, price=amount)
            for shop, amount in [(shops[0], "5999.00"), (shops[1], "6099.00")]]
    services.group_offers()
    return GroupMember.objects.get(offer=rows[0]).group_id, rows


def drop(row, amount, stock_state="in_stock"):
    return prices_update(shop_id=row.shop_id, prices=[OfferPriceData(
        sku_id=row.sku_id, product_id=row.product_id, price=Decimal(amount), stock_state=stock_state)])


def subscribe(user, group, target):
    return client_for(MALL, user).post(f"{API}price-alerts/", {"group_id": group, "target_price": target},
                                       content_type="application/json")


def test_subscribing_and_subscribing_again_keeps_one_alert(watched, shopper):
    group, _rows = watched
    created = subscribe(shopper, group, "5500")
    assert created.status_code == 201
    assert {k: created.json()[k] for k in ("group_id", "target_price", "status")} == {
        "group_id": group, "target_price": "5500.00", "status": "armed"}
    again = subscribe(shopper, group, "5400.50")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    assert list(PriceAlert.objects.values_list("target_price", flat=True)) == [Decimal("5400.50")]
    listed = client_for(MALL, shopper).get(f"{API}price-alerts/").json()
    assert listed["count"] == 1 and listed["results"][0]["group_title"] == "华为 Mate 60 Pro 512GB"


@pytest.mark.parametrize(("body", "field"), [
    ({"target_price": "0"}, "target_price"),
    ({"target_price": "0.00"}, "target_price"),
    ({"target_price": "-5"}, "target_price"),
    ({"target_price": "abc"}, "target_price"),
    ({"target_price": "12.345"}, "target_price"),
    ({"target_price": "NaN"}, "target_price"),
    ({"target_price": "Infinity"}, "target_price"),
    ({"target_price": "99999999999"}, "target_price"),
    ({"target_price": ""}, "target_price"),
    ({"target_price": ["1"]}, "target_price"),
    ({}, "target_price"),
    ({"target_price": "5999.00"}, "target_price"),  # the lowest price now: nothing to wait for
    ({"target_price": "7000"}, "target_price"),
    ({"target_price": "5000", "group_id": "abc"}, "group_id"),
    ({"target_price": "5000", "group_id": 0}, "group_id"),
    ({"target_price": "5000", "group_id": None}, "group_id"),
    ({"target_price": "5000", "group_id": 2**64}, "group_id"),
])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(watched, shopper, body, field):
    group, _rows = watched
    response = client_for(MALL, shopper).post(f"{API}price-alerts/", {"group_id": group, **body},
                                              content_type="application/json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not PriceAlert.objects.exists()


def test_an_unknown_or_hidden_product_is_a_404(watched, shopper, shops):
    group, _rows = watched
    assert subscribe(shopper, 987654, "10").status_code == 404
    for shop in shops[:2]:
        shop.status = ShopStatus.SUSPENDED
        shop.save(update_fields=["status"])
    assert subscribe(shopper, group, "10").status_code == 404
    assert not PriceAlert.objects.exists()


def test_alerts_need_a_signed_in_shopper(watched):
    group, _rows = watched
    assert client_for(MALL).post(f"{API}price-alerts/", {"group_id": group, "target_price": "10"},
                                 content_type="application/json").status_code in (401, 403)
    assert client_for(MALL).get(f"{API}notifications/").status_code in (401, 403)
    page = client_for(MALL).get("/price-alerts/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    assert client_for(MALL).post(f"/products/{group}/alert/", {"target_price": "10"}).status_code == 302
    assert not PriceAlert.objects.exists()


def test_a_price_drop_through_the_offer_index_notifies_once_in_app_and_by_mail(
        watched, shopper, smtp, django_capture_on_commit_callbacks):
    group, (_cheap, dear) = watched
    assert subscribe(shopper, group, "5800").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        drop(dear, "5850.00")  # lower, not low enough
    assert not Notification.objects.exists() and not smtp.messages
    with django_capture_on_commit_callbacks(execute=True):
        drop(dear, "5799.00")
    alert = PriceAlert.objects.get()
    assert (alert.status, alert.triggered_price, alert.cycle) == (AlertStatus.TRIGGERED, Decimal("5799.00"), 1)
    note = Notification.objects.get()
    assert (note.user, note.group_id, note.alert_id, note.alert_cycle) == (shopper, group, alert.pk, 1)
    assert note.data == {"group_title": "华为 Mate 60 Pro 512GB", "price": "5799.00", "target": "5800.00",
                         "shop_id": dear.shop_id, "shop_name": dear.shop.name}
    [mail] = smtp.messages
    assert mail["To"] == "shopper@example.com" and "华为 Mate 60 Pro 512GB" in mail["Subject"]
    body = smtp.bodies()[0]
    assert "¥5,799.00" in body and "¥5,800.00" in body and f"/products/{group}/" in body and dear.shop.name in body
    with django_capture_on_commit_callbacks(execute=True):
        drop(dear, "5599.00")  # lower still: already told
        tasks.price_watch_sweep()
    assert Notification.objects.count() == 1 and len(smtp.messages) == 1


def test_re_arming_watches_again_and_notifies_again(watched, shopper, smtp, django_capture_on_commit_callbacks):
    group, (cheap, _dear) = watched
    alert_id = subscribe(shopper, group, "5800").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        drop(cheap, "5700.00")
    client = client_for(MALL, shopper)
    # Re-arming at a target the price already meets would fire at once: refused, nothing changes.
    refused = client.patch(f"{API}price-alerts/{alert_id}/", {"rearm": True}, content_type="application/json")
    assert refused.status_code == 400 and "target_price" in refused.json()["error"]["fields"]
    assert PriceAlert.objects.get().status == AlertStatus.TRIGGERED
    rearmed = client.patch(f"{API}price-alerts/{alert_id}/", {"target_price": "5500"}, content_type="application/json")
    assert rearmed.status_code == 200 and rearmed.json()["status"] == "armed"
    assert PriceAlert.objects.get().cycle == 2
    with django_capture_on_commit_callbacks(execute=True):
        drop(cheap, "5499.00")
    assert list(Notification.objects.order_by("id").values_list("alert_cycle", flat=True)) == [1, 2]
    assert len(smtp.messages) == 2


def test_the_sweep_fires_what_a_lost_task_missed(watched, shopper, smtp, django_capture_on_commit_callbacks):
    group, (cheap, _dear) = watched
    subscribe(shopper, group, "5800")
    drop(cheap, "5700.00")  # its after-commit task never runs (as if Redis lost it)
    assert not Notification.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.price_watch_sweep() == 1
    assert Notification.objects.count() == 1 and len(smtp.messages) == 1


def test_suspended_shops_and_sold_out_offers_do_not_fire(watched, shopper, django_capture_on_commit_callbacks):
    group, (cheap, dear) = watched
    subscribe(shopper, group, "5800")
    dear.shop.status = ShopStatus.SUSPENDED
    dear.shop.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        drop(dear, "5000.00")
        drop(cheap, "5100.00", stock_state="out")
    assert alerts.price_alerts_check() == 0
    assert PriceAlert.objects.get().status == AlertStatus.ARMED and not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_racing_price_drops_notify_once(merchant_a, shopper, smtp):
    from shared_apps.offers.models import OfferPrice, OfferText
    from tenants.models import Shop

    shops = [Shop.objects.create(schema_name=f"cmp_race_{n}", subdomain=f"cmprace{n}", name=f"Race {n}",
                                 company_name=f"Race {n}", owner=merchant_a) for n in range(4)]
    rows = []
    for n, shop in enumerate(shops):
        rows.append(OfferText.objects.create(shop=shop, product_id=n + 1, sku_id=n + 1, title="大疆 Mini 4 Pro",
                                             standard_product_id=4))
        OfferPrice.objects.create(shop=shop, product_id=n + 1, sku_id=n + 1, price=Decimal("4788.00"))
    services.group_offers()
    group = GroupMember.objects.get(offer=rows[0]).group_id
    alerts.price_alert_set(user=shopper, group_id=group, target_price="4500")
    # Four shops cut their price at the same moment; each commit runs the hook in its own thread.
    outcomes = run_threads(4, lambda i: drop(rows[i], f"{4400 - i}.00"))
    connection.set_schema_to_public()
    assert outcomes == [1, 1, 1, 1]
    outcomes = run_threads(4, lambda i: alerts.price_alerts_check())  # and the sweep, four times at once
    connection.set_schema_to_public()
    assert sum(outcomes) == 0
    assert Notification.objects.count() == 1 and len(smtp.messages) == 1
    assert PriceAlert.objects.get().status == AlertStatus.TRIGGERED


@pytest.mark.django_db(transaction=True)
def test_racing_checks_fire_an_alert_once(merchant_a, shopper, smtp):
    from shared_apps.offers.models import OfferPrice, OfferText
    from tenants.models import Shop

    shop = Shop.objects.create(schema_name="cmp_race_x", subdomain="cmpracex", name="Race", company_name="Race",
                               owner=merchant_a)
    row = OfferText.objects.create(shop=shop, product_id=1, sku_id=1, title="Kindle Paperwhite", standard_product_id=5)
    OfferPrice.objects.create(shop=shop, product_id=1, sku_id=1, price=Decimal("1068.00"))
    services.group_offers()
    group = GroupMember.objects.get(offer=row).group_id
    alerts.price_alert_set(user=shopper, group_id=group, target_price="999")
    OfferPrice.objects.filter(pk__isnull=False).update(price=Decimal("998.00"))  # no hook: only the checks
    outcomes = run_threads(6, lambda i: alerts.price_alerts_check(group_ids=[group]))
    connection.set_schema_to_public()
    assert sorted(outcomes) == [0, 0, 0, 0, 0, 1]
    assert Notification.objects.count() == 1 and len(smtp.messages) == 1


def test_one_shopper_never_reaches_anothers_alerts_or_notifications(
        watched, shopper, make_user, django_capture_on_commit_callbacks):
    group, (cheap, _dear) = watched
    other = make_user(email="other@example.com")
    alert_id = subscribe(shopper, group, "5800").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        drop(cheap, "5700.00")
    note = Notification.objects.get()
    intruder = client_for(MALL, other)
    assert intruder.get(f"{API}price-alerts/{alert_id}/").status_code == 404
    assert intruder.patch(f"{API}price-alerts/{alert_id}/", {"target_price": "1"},
                          content_type="application/json").status_code == 404
    assert intruder.delete(f"{API}price-alerts/{alert_id}/").status_code == 404
    assert intruder.get(f"{API}price-alerts/").json()["count"] == 0
    assert intruder.post(f"{API}notifications/{note.pk}/read/").status_code == 404
    assert intruder.get(f"{API}notifications/").json()["count"] == 0
    assert intruder.post(f"/price-alerts/{alert_id}/", {"target_price": "1"}).status_code == 404
    assert intruder.post(f"/price-alerts/{alert_id}/delete/").status_code == 404
    assert intruder.post(f"/notifications/{note.pk}/read/").status_code == 404
    assert "Mate 60" not in intruder.get("/notifications/").content.decode()
    assert "Mate 60" not in intruder.get("/price-alerts/").content.decode()
    assert PriceAlert.objects.get().target_price == Decimal("5800.00") and Notification.objects.get().read_at is None


def test_the_alert_pages_list_edit_rearm_and_delete(watched, shopper, django_capture_on_commit_callbacks):
    group, (cheap, _dear) = watched
    client = client_for(MALL, shopper)
    alert_id = subscribe(shopper, group, "5800").json()["id"]
    page = client.get("/price-alerts/")
    assert page.status_code == 200 and "华为 Mate 60 Pro 512GB" in page.content.decode() and "Watching" in page.content.decode()
    refused = client.post(f"/price-alerts/{alert_id}/", {"target_price": "0"})
    assert refused.status_code == 400 and "The amount must be positive." in refused.content.decode()
    assert client.post(f"/price-alerts/{alert_id}/", {"target_price": "5600"}).status_code == 302
    assert PriceAlert.objects.get().target_price == Decimal("5600.00")
    with django_capture_on_commit_callbacks(execute=True):
        drop(cheap, "5599.00")
    assert "Notified" in client.get("/price-alerts/").content.decode()
    assert client.post(f"/price-alerts/{alert_id}/rearm/").status_code == 400  # still at or below the target
    with django_capture_on_commit_callbacks(execute=True):
        drop(cheap, "5999.00")
    assert client.post(f"/price-alerts/{alert_id}/rearm/").status_code == 302
    assert PriceAlert.objects.get().status == AlertStatus.ARMED
    assert client.post(f"/price-alerts/{alert_id}/delete/").status_code == 302
    assert not PriceAlert.objects.exists()
    assert client.post(f"/price-alerts/{alert_id}/delete/").status_code == 404


def test_subscribing_on_the_product_page(mate, shopper):
    client = client_for(MALL, shopper)
    refused = client.post(f"/products/{mate.group_id}/alert/", {"target_price": "6000"})
    assert refused.status_code == 400 and "The lowest price is already ¥5,989.00" in refused.content.decode()
    for bad in ["", "abc", "-1", "0"]:
        assert client.post(f"/products/{mate.group_id}/alert/", {"target_price": bad}).status_code == 400
    assert not PriceAlert.objects.exists()
    done = client.post(f"/products/{mate.group_id}/alert/", {"target_price": "5500"}, follow=True)
    assert "We will tell you when the price reaches ¥5,500.00." in done.content.decode()
    assert "You are watching for ¥5,500.00 or less." in done.content.decode()
    assert client.post("/products/987654/alert/", {"target_price": "5"}).status_code == 404


def test_notifications_page_unread_count_and_mark_read(watched, shopper, django_capture_on_commit_callbacks):
    group, (cheap, _dear) = watched
    subscribe(shopper, group, "5800")
    client = client_for(MALL, shopper)
    assert ">Notifications</a>" in client.get("/notifications/").content.decode()  # no count yet
    with django_capture_on_commit_callbacks(execute=True):
        drop(cheap, "5700.00")
    page = client.get("/notifications/").content.decode()
    assert 'aria-label="1 unread">1</span>' in page  # the header's count, dropped from the cache at the change
    assert "华为 Mate 60 Pro 512GB is now ¥5,700.00 at" in page and "(your target: ¥5,800.00)" in page
    assert client.get(f"{API}notifications/unread-count/").json() == {"unread": 1}
    note = Notification.objects.get()
    listed = client.get(f"{API}notifications/", {"unread": "true"}).json()
    assert [n["id"] for n in listed["results"]] == [note.pk] and listed["results"][0]["url"] == f"/products/{group}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/notifications/{note.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == f"/products/{group}/"
    assert client.get(f"{API}notifications/unread-count/").json() == {"unread": 0}
    assert client.get(f"{API}notifications/", {"unread": "true"}).json()["count"] == 0
    assert client.post(f"{API}notifications/{note.pk}/read/").json()["read_at"] is not None  # again: no change
    assert client.post(f"{API}notifications/read-all/").json() == {"marked": 0}
    assert client.post(f"{API}notifications/987654/read/").status_code == 404
    assert client.get(f"{API}notifications/", {"unread": "maybe"}).status_code == 400


def test_a_merge_carries_the_alerts_along(shops, offer, phones, shopper, make_user, operator):
    a = offer(shops[0], "Apple iPhone 15 Pro 256GB", brand="Apple", model="iPhone 15 Pro", category=phones)
    b = offer(shops[1], "苹果 iPhone15Pro 国行 256G", brand="苹果", model="A3104", category=phones)
    services.group_offers()
    first, second = GroupMember.objects.get(offer=a).group_id, GroupMember.objects.get(offer=b).group_id
    other = make_user(email="other@example.com")
    alerts.price_alert_set(user=shopper, group_id=first, target_price="5000")
    alerts.price_alert_set(user=shopper, group_id=second, target_price="4000")
    alerts.price_alert_set(user=other, group_id=second, target_price="4500")
    services.group_merge(group_ids=[first, second], actor=operator)
    assert sorted(PriceAlert.objects.values_list("user__email", "group_id", "target_price")) == [
        ("other@example.com", first, Decimal("4500.00")), ("shopper@example.com", first, Decimal("5000.00"))]


def test_a_shopper_watches_at_most_a_hundred_products(shops, offer, shopper):
    row = offer(shops[0], "华为 Mate 60 Pro", standard_product_id=61)
    services.group_offers()
    many = ComparisonGroup.objects.bulk_create([ComparisonGroup(key=f"t:{n}", kind="similar_title", title=f"G{n}")
                                                for n in range(alerts.MAX_ALERTS)])
    PriceAlert.objects.bulk_create([PriceAlert(user=shopper, group=g, target_price=Decimal(1)) for g in many])
    response = subscribe(shopper, GroupMember.objects.get(offer=row).group_id, "100")
    assert response.status_code == 409 and response.json()["error"]["code"] == "too_many_alerts"
    assert PriceAlert.objects.count() == alerts.MAX_ALERTS


def test_the_merchant_lowers_the_price_and_the_alert_arrives(mate, shopper, smtp, django_capture_on_commit_callbacks):
    from .conftest import reprice

    alerts.price_alert_set(user=shopper, group_id=mate.group_id, target_price="5900")
    with django_capture_on_commit_callbacks(execute=True):
        reprice(mate.shop_a, mate.a[1], "5888.00")  # the catalog's outbox drain writes the offer index
    assert Notification.objects.get().data["shop_name"] == "Alpha 商店"
    assert len(smtp.messages) == 1 and "¥5,888.00" in smtp.bodies()[0]


def test_the_lists_cost_the_same_queries_for_one_row_or_many(shops, offer, shopper, django_assert_max_num_queries):
    from django.db import connection as conn
    from django.test.utils import CaptureQueriesContext

    def watch(n):
        row = offer(shops[n % 3], f"乐高 积木 {n} 号", brand="LEGO", model=f"{n}00", price="999.00")
        services.group_offers(offer_ids=[row.pk])
        alerts.price_alert_set(user=shopper, group_id=GroupMember.objects.get(offer=row).group_id, target_price="10")

    client = client_for(MALL, shopper)
    watch(0)
    alerts.price_alerts_check()  # nothing fires at ¥999
    Notification.objects.create(user=shopper, kind="price_drop", data={"group_title": "x", "price": "1", "target": "2"})
    with CaptureQueriesContext(conn) as one:
        client.get(f"{API}price-alerts/")
        client.get(f"{API}notifications/")
        client.get("/price-alerts/")
        client.get("/notifications/")
    for n in range(1, 6):
        watch(n)
        Notification.objects.create(user=shopper, kind="price_drop", data={"group_title": "x", "price": "1"})
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(f"{API}price-alerts/").json()["count"] == 6
        assert client.get(f"{API}notifications/").json()["count"] == 6
        client.get("/price-alerts/")
        client.get("/notifications/")
