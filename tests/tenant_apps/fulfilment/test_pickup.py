"""The pickup counter: right and wrong codes, the limits on wrong tries (per order, per staff
member, surviving a Redis flush or outage), the audit trail, handing over, and taking the
payment of a pay-at-pickup order at the counter — as services, phone page and API."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from backend.api.errors import Conflict, Forbidden, RateLimited, ServiceError
from shared_apps.audit.models import AuditEntry
from shared_apps.orders.models import SubOrder
from tenant_apps.fulfilment import services
from tenant_apps.fulfilment.models import PickupAttempt
from tests.conftest import clear_own_cache

from .conftest import add_staff, host_client, in_shop, make_sub_order

pytestmark = pytest.mark.django_db
API = "/api/v1/shop/fulfilment/"
JSON = "application/json"


@pytest.fixture
def pickup_a(shop_a, shopper):
    """A pickup order of shop A, paid online; the buyer's code is 246810."""
    return make_sub_order(shop_a, shopper, delivery_method="pickup", pickup_code="246810")


def verify(shop, actor, number, code):
    with in_shop(shop):
        return services.pickup_verify(
            shop_id=shop.pk, number=number, code=code, actor=actor, ip="10.0.0.1"
        )


def wrong(shop, actor, number, times=1):
    for _ in range(times):
        with pytest.raises(ServiceError) as refused:
            verify(shop, actor, number, "000000")
        assert refused.value.code == "wrong_pickup_code"
    return refused.value


def status_of(sub) -> str:
    return SubOrder.objects.get(pk=sub.pk).status


def test_the_right_code_opens_the_order_and_handing_over_completes_it(shop_a, pickup_a, merchant_a):
    assert verify(shop_a, merchant_a, f" {pickup_a.number} ", " 246810 ").number == pickup_a.number
    with in_shop(shop_a):
        done = services.pickup_hand_over(
            shop_id=shop_a.pk, number=pickup_a.number, actor=merchant_a
        )
        assert done.status == "completed"
        with pytest.raises(Conflict):  # handed over twice
            services.pickup_hand_over(shop_id=shop_a.pk, number=pickup_a.number, actor=merchant_a)
        assert list(
            PickupAttempt.objects.values_list(
                "sub_order_number", "actor_user_id", "succeeded", "ip"
            )
        ) == [(pickup_a.number, merchant_a.pk, True, "10.0.0.1")]
    assert list(pickup_a.status_changes.values_list("to_status", "actor_user_id", "reason")) == [
        ("completed", merchant_a.pk, "picked up")
    ]


def test_a_wrong_code_is_recorded_audited_and_counted(shop_a, pickup_a, merchant_a):
    refused = wrong(shop_a, merchant_a, pickup_a.number)
    assert (refused.status_code, refused.message) == (
        400,
        "The order number or the pickup code is wrong (4 tries left).",
    )
    with in_shop(shop_a):
        assert list(PickupAttempt.objects.values_list("succeeded", flat=True)) == [False]
    entry = AuditEntry.objects.get(action="fulfilment.pickup_code_wrong")
    assert (entry.actor_id, entry.shop_id, entry.target_id, entry.ip) == (
        merchant_a.pk,
        shop_a.pk,
        pickup_a.number,
        "10.0.0.1",
    )
    assert status_of(pickup_a) == "paid"


def test_a_delivery_order_or_an_unknown_number_gets_the_same_answer(shop_a, shopper, merchant_a):
    delivery = make_sub_order(shop_a, shopper, pickup_code="")
    for number in (delivery.number, "9999-1"):
        with pytest.raises(ServiceError) as refused:
            verify(shop_a, merchant_a, number, "246810")
        assert refused.value.code == "wrong_pickup_code"
    with pytest.raises(ServiceError) as blank:
        verify(shop_a, merchant_a, "", " ")
    assert set(blank.value.fields) == {"number", "code"}


def test_five_wrong_codes_lock_the_order_for_everyone_even_with_the_right_code(
    shop_a, shop_b, pickup_a, shopper, merchant_a, make_user
):
    other = make_sub_order(shop_a, shopper, delivery_method="pickup", pickup_code="135790")
    wrong(shop_a, merchant_a, pickup_a.number, times=5)
    colleague = make_user(email="clerk2@alpha.example")
    add_staff(shop_a, colleague, "clerk")
    for actor in (merchant_a, colleague):
        with pytest.raises(RateLimited) as limited:
            verify(shop_a, actor, pickup_a.number, "246810")
        assert limited.value.status_code == 429
        assert limited.value.message == (
            f"Too many wrong pickup codes for order {pickup_a.number}: try again in 15 minutes."
        )
    assert (
        verify(shop_a, merchant_a, other.number, "135790").number == other.number
    )  # other orders: fine
    with in_shop(shop_a):
        assert (
            PickupAttempt.objects.filter(succeeded=False).count() == 5
        )  # refused checks are not tries


def test_ten_wrong_codes_by_one_staff_member_stop_them_on_any_order(
    shop_a, pickup_a, shopper, merchant_a, make_user
):
    for _ in range(5):
        wrong(
            shop_a,
            merchant_a,
            make_sub_order(shop_a, shopper, delivery_method="pickup", pickup_code="111111").number,
            times=2,
        )
    with pytest.raises(RateLimited) as limited:
        verify(shop_a, merchant_a, pickup_a.number, "246810")
    assert (
        limited.value.message == "You typed too many wrong pickup codes: try again in 15 minutes."
    )
    colleague = make_user(email="clerk3@alpha.example")
    add_staff(shop_a, colleague, "clerk")
    assert verify(shop_a, colleague, pickup_a.number, "246810").number == pickup_a.number


def test_the_limits_survive_a_redis_flush_and_an_outage(shop_a, pickup_a, merchant_a, monkeypatch):
    wrong(shop_a, merchant_a, pickup_a.number, times=5)
    clear_own_cache()  # Redis restarted empty: the counters come back from the attempt rows
    with pytest.raises(RateLimited):
        verify(shop_a, merchant_a, pickup_a.number, "246810")

    def down(*args, **kwargs):
        raise RedisConnectionError("Redis is down")

    for name in ("get", "add", "incr"):
        monkeypatch.setattr(cache, name, down)
    with pytest.raises(RateLimited):
        verify(shop_a, merchant_a, pickup_a.number, "246810")


def test_old_wrong_tries_fall_out_of_the_window(shop_a, pickup_a, merchant_a):
    wrong(shop_a, merchant_a, pickup_a.number, times=5)
    with in_shop(shop_a):
        PickupAttempt.objects.update(created_at=timezone.now() - timedelta(minutes=16))
    clear_own_cache()  # what the keys' expiry does after 15 minutes
    assert verify(shop_a, merchant_a, pickup_a.number, "246810").number == pickup_a.number


def test_counter_actions_need_the_code_checked_by_the_same_person(
    shop_a, pickup_a, merchant_a, make_user
):
    colleague = make_user(email="clerk4@alpha.example")
    add_staff(shop_a, colleague, "clerk")
    with in_shop(shop_a):
        with pytest.raises(Forbidden):
            services.pickup_hand_over(shop_id=shop_a.pk, number=pickup_a.number, actor=merchant_a)
        verify(shop_a, merchant_a, pickup_a.number, "246810")
        with pytest.raises(Forbidden) as refused:
            services.pickup_hand_over(shop_id=shop_a.pk, number=pickup_a.number, actor=colleague)
        assert refused.value.code == "pickup_not_verified"
        with pytest.raises(Conflict) as online:
            services.pickup_take_payment(
                shop_id=shop_a.pk, number=pickup_a.number, actor=merchant_a
            )
        assert online.value.code == "paid_online"
    assert status_of(pickup_a) == "paid"


# --- pay at pickup -----------------------------------------------------------------------------


@pytest.fixture
def pay_at_pickup_a(shop_a, shopper):
    """A pay-at-pickup order of shop A (code 975310) with its stock held at the store and its
    offline payment open, as checkout leaves it."""
    from shared_apps.payments.interface import payment_open
    from tenant_apps.inventory import interface as stock
    from tenant_apps.inventory import services as inventory
    from tests.tenant_apps.inventory.conftest import make_location, make_skus

    sub = make_sub_order(
        shop_a,
        shopper,
        status="pending_payment",
        delivery_method="pickup",
        payment_mode="at_pickup",
        pickup_code="975310",
        lines=(("A-1", 2, "10.00"),),
    )
    (sku,) = make_skus(shop_a, 1, "A")
    store = make_location(shop_a, "ST", kind="store", does_pickup=True)
    until = timezone.now() + timedelta(days=3)
    with in_shop(shop_a):
        inventory.movement_post(
            lines=[inventory.MovementLine(sku, store, 5)],
            kind="purchase_receipt",
            reference="PO",
            actor_user_id=1,
        )
        stock.hold(
            reference=sub.number,
            items=[(sku, 2, Decimal("10.00"))],
            pickup_location_id=store,
            until=until,
        )
    payment_open(
        kind="sub_order",
        reference=sub.number,
        number=sub.offline_payment_number,
        amount=sub.payable_amount,
        subject="Alpha 商店",
        provider="offline",
        expires_at=until,
        user_id=shopper.pk,
    )
    return sub


def test_pay_at_pickup_takes_the_money_then_hands_over(shop_a, pay_at_pickup_a, merchant_a):
    from shared_apps.payments.interface import payment_get

    number = pay_at_pickup_a.number
    verify(shop_a, merchant_a, number, "975310")
    with in_shop(shop_a):
        with pytest.raises(Conflict) as unpaid:
            services.pickup_hand_over(shop_id=shop_a.pk, number=number, actor=merchant_a)
        assert unpaid.value.code == "unpaid"
        paid = services.pickup_take_payment(
            shop_id=shop_a.pk, number=number, actor=merchant_a, note="cash"
        )
        assert paid.status == "paid" and paid.paid_amount == Decimal("20.00")
        again = services.pickup_take_payment(
            shop_id=shop_a.pk, number=number, actor=merchant_a
        )  # double click
        assert again.status == "paid"
        done = services.pickup_hand_over(shop_id=shop_a.pk, number=number, actor=merchant_a)
    assert done.status == "completed"
    assert payment_get(number=pay_at_pickup_a.offline_payment_number).status == "succeeded"
    assert list(pay_at_pickup_a.status_changes.values_list("to_status", flat=True)) == [
        "paid",
        "completed",
    ]


# --- the phone page and the API ----------------------------------------------------------------


def test_the_pickup_page_flow(shop_a, pay_at_pickup_a, merchant_a):
    page = host_client(shop_a, merchant_a)
    form = page.get("/console/fulfilment/pickup/")
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="number"' in html and 'inputmode="numeric"' in html and 'name="code"' in html
    number = pay_at_pickup_a.number
    assert (
        page.get(f"/console/fulfilment/pickup/{number}/")["Location"]
        == "/console/fulfilment/pickup/"
    )
    bad = page.post("/console/fulfilment/pickup/", {"number": number, "code": "123123"})
    assert bad.status_code == 400
    assert "The order number or the pickup code is wrong (4 tries left)." in bad.content.decode()
    good = page.post("/console/fulfilment/pickup/", {"number": number, "code": "975310"})
    assert good.status_code == 302 and good["Location"] == f"/console/fulfilment/pickup/{number}/"
    order = page.get(good["Location"]).content.decode()
    assert (
        "Pickup code is correct." in order
        and "Take payment of ¥20.00" in order
        and "Hand over" not in order
    )
    assert "A-1 · A-1 茶叶 × <strong>2</strong>" in order
    taken = page.post(
        f"/console/fulfilment/pickup/{number}/payment/", {"note": "cash"}, follow=True
    )
    html = taken.content.decode()
    assert (
        f"¥20.00 was taken for order {number}." in html
        and "Hand over" in html
        and "Take payment" not in html
    )
    handed = page.post(f"/console/fulfilment/pickup/{number}/hand-over/", follow=True)
    assert f"Order {number} was handed over." in handed.content.decode()
    assert status_of(pay_at_pickup_a) == "completed"
    again = page.post(f"/console/fulfilment/pickup/{number}/hand-over/")
    assert again.status_code == 409


def test_the_pickup_page_says_when_tries_are_used_up(shop_a, pickup_a, merchant_a):
    page = host_client(shop_a, merchant_a)
    for _ in range(5):
        page.post("/console/fulfilment/pickup/", {"number": pickup_a.number, "code": "000000"})
    limited = page.post(
        "/console/fulfilment/pickup/", {"number": pickup_a.number, "code": "246810"}
    )
    assert limited.status_code == 429
    assert "Too many wrong pickup codes for order" in limited.content.decode()


def test_the_pickup_api(shop_a, pickup_a, merchant_a):
    api = host_client(shop_a, merchant_a)
    path = f"{API}pickup/{pickup_a.number}/hand-over/"
    assert api.post(path).json()["error"]["code"] == "pickup_not_verified"
    bad = api.post(
        f"{API}pickup/verify/", {"number": pickup_a.number, "code": "1"}, content_type=JSON
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "wrong_pickup_code"
    assert api.post(f"{API}pickup/verify/", {"number": pickup_a.number}, content_type=JSON).json()[
        "error"
    ]["fields"] == {"code": ["This field is required."]}
    good = api.post(
        f"{API}pickup/verify/", {"number": pickup_a.number, "code": "246810"}, content_type=JSON
    )
    assert good.status_code == 200
    body = good.json()
    assert (body["number"], body["status"], body["can_take_payment"], body["can_hand_over"]) == (
        pickup_a.number,
        "paid",
        False,
        True,
    )
    assert body["pickup_location"]["name"] == "Alpha 南山店"
    done = api.post(path)
    assert (
        done.status_code == 200
        and done.json()["status"] == "completed"
        and not done.json()["can_hand_over"]
    )
    assert (
        api.post(f"{API}pickup/{pickup_a.number}/payment/", {}, content_type=JSON).status_code
        == 409
    )
    for _ in range(4):
        api.post(
            f"{API}pickup/verify/", {"number": pickup_a.number, "code": "000000"}, content_type=JSON
        )
    limited = api.post(
        f"{API}pickup/verify/", {"number": pickup_a.number, "code": "246810"}, content_type=JSON
    )
    assert (
        limited.status_code == 429 and limited.json()["error"]["code"] == "pickup_tries_exhausted"
    )
