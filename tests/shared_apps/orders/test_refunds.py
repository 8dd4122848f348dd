"""Refunds per line: capped by what each line was paid (pending refunds count), carried through the
sandbox provider to the lines' refunded amounts, restocking what came back, cancelling an order
refunded in full before it left, failing and being tried again, and the shop handing back money
it took at the counter."""

import json
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.orders import refunds
from shared_apps.orders.models import OrderRefund, RefundStatus, SubOrder, SubOrderStatus
from shared_apps.payments import interface as payments
from shared_apps.payments import services as payment_services
from shared_apps.payments.models import Refund
from tenant_apps.inventory.models import MovementKind, StockBalance, StockMovement
from tenant_apps.webhooks.models import Delivery
from tenant_apps.webhooks.services import subscription_create
from tests.conftest import run_threads

from .conftest import express, fill_cart, lines_of
from .payments import pay
from .test_checkout import place

pytestmark = pytest.mark.django_db


def refund(sub, capture=None, **values):
    values = {"lines": [], "reason": "one cup broke", "requested_by": "shop", "shop_id": sub.shop_id, **values}
    if capture is None:
        return refunds.refund_create(number=sub.number, **values)
    with capture(execute=True):
        return refunds.refund_create(number=sub.number, **values)


def test_a_partial_refund_of_one_line_reaches_the_line_and_the_sub_order(paid, merchant_a,
                                                                          django_capture_on_commit_callbacks):
    with schema_context(paid.shop.schema_name):
        subscription_create(shop=paid.shop, actor=merchant_a, url="http://127.0.0.1:9/hook",
                            events=["refund.succeeded"])
    first = lines_of(paid)[0]
    done = refund(paid, django_capture_on_commit_callbacks, actor=merchant_a,
                  lines=[{"line": first.pk, "amount": "30.00", "quantity": 0}])
    done.refresh_from_db()
    assert (done.number, done.status, done.amount) == (f"{paid.number}-R1", RefundStatus.SUCCEEDED, Decimal("30.00"))
    first.refresh_from_db()
    paid.refresh_from_db()
    assert first.refunded_amount == Decimal("30.00") and paid.refunded_amount == Decimal("30.00")
    assert paid.status == SubOrderStatus.PAID  # a partial refund does not move the order
    assert payments.payment_get(number=paid.order.number).refunded_amount == Decimal("30.00")
    assert Refund.objects.get(refund_no=done.number).status == "succeeded"
    with schema_context(paid.shop.schema_name):
        assert list(Delivery.objects.values_list("event", flat=True)) == ["refund.succeeded"]
        data = json.loads(Delivery.objects.get().body)["data"]
        assert (data["refund"], data["amount"], data["lines"]) == (
            done.number, "30.00", [{"line": first.pk, "amount": "30.00", "quantity": 0}])


def test_caps_count_refunds_still_pending_and_name_the_line(paid):
    first, second = lines_of(paid)  # paid 200.00 and 50.00
    refund(paid, lines=[{"line": first.pk, "amount": "150.00", "quantity": 1}])  # pending: not settled yet
    with pytest.raises(Conflict) as caught:
        refund(paid, lines=[{"line": first.pk, "amount": "50.01"}])
    assert caught.value.code == "refund_exceeds_line"
    assert caught.value.message == ("Tea: ¥50.01 is more than is left to refund (paid ¥200.00, refunded or being "
                                    "refunded ¥150.00, left ¥50.00).")
    assert list(caught.value.fields) == ["lines[0].amount"]
    with pytest.raises(Conflict) as caught:
        refund(paid, lines=[{"line": second.pk, "amount": "1.00"}, {"line": first.pk, "amount": "1.00", "quantity": 2}])
    assert caught.value.code == "refund_exceeds_quantity" and list(caught.value.fields) == ["lines[1].quantity"]
    with pytest.raises(Conflict) as caught:
        refund(paid, shipping_amount="14.01")
    assert caught.value.code == "refund_exceeds_shipping"
    assert OrderRefund.objects.count() == 1 and Refund.objects.count() == 1  # nothing half-written


@pytest.mark.parametrize(("values", "field"), [
    ({"lines": [{"line": 1, "amount": "0"}]}, "lines[0].amount"),
    ({"lines": [{"line": 1, "amount": "-5"}]}, "lines[0].amount"),
    ({"lines": [{"line": 1, "amount": "1.001"}]}, "lines[0].amount"),
    ({"lines": [{"line": 1, "amount": "NaN"}]}, "lines[0].amount"),
    ({"lines": [{"line": "x", "amount": "1"}]}, "lines[0].line"),
    ({"lines": [{"line": 1, "amount": "1", "quantity": -1}]}, "lines[0].quantity"),
    ({"lines": [{"line": 1, "amount": "1", "quantity": "two"}]}, "lines[0].quantity"),
    ({"lines": [{"line": 1, "amount": "1"}, {"line": 1, "amount": "1"}]}, "lines[1].line"),
    ({"lines": "everything"}, "lines"),
    ({"lines": ["one"]}, "lines[0]"),
    ({"lines": []}, "lines"),
    ({"shipping_amount": "abc"}, "shipping_amount"),
    ({"lines": [{"line": 1, "amount": "1"}], "reason": "  "}, "reason"),
    ({"lines": [{"line": 1, "amount": "1"}], "reason": "x" * 201}, "reason"),
])
def test_bad_input_is_a_400_naming_the_field(paid, values, field):
    with pytest.raises(ServiceError) as caught:
        refund(paid, **values)
    assert caught.value.status_code == 400 and field in caught.value.fields
    assert not OrderRefund.objects.exists()


def test_a_line_of_another_sub_order_is_refused(paid):
    other = paid.order.sub_orders.exclude(pk=paid.pk).get()
    foreign = other.lines.get()
    with pytest.raises(ServiceError) as caught:
        refund(paid, lines=[{"line": foreign.pk, "amount": "1.00"}])
    assert caught.value.fields == {"lines[0].line": [f"Order {paid.number} has no line {foreign.pk}."]}


def test_a_shop_cannot_refund_another_shops_order(paid, shop_b):
    with pytest.raises(NotFound):
        refunds.refund_create(number=paid.number, shop_id=shop_b.pk, requested_by="shop", reason="x",
                              lines=[{"line": lines_of(paid)[0].pk, "amount": "1.00"}])
    with pytest.raises(NotFound):
        refunds.refund_create(number="'; DROP TABLE x", shop_id=None, requested_by="operator", reason="x",
                              lines=[{"line": 1, "amount": "1.00"}])


def test_an_unpaid_order_is_not_refunded(shopper, address, alpha):
    fill_cart(shopper, (alpha.shop, alpha.skus[0], 1))
    sub = place(shopper, address, express(alpha.shop)).sub_orders.get()
    with pytest.raises(Conflict) as caught:
        refund(sub, lines=[{"line": sub.lines.get().pk, "amount": "1.00"}])
    assert caught.value.code == "not_refundable"
    assert caught.value.message == f"Order {sub.number} is Pending payment: only a paid order can be refunded."


def test_a_full_refund_before_shipping_cancels_and_restocks(paid, alpha, django_capture_on_commit_callbacks):
    first, second = lines_of(paid)
    done = refund(paid, django_capture_on_commit_callbacks, restock=True, shipping_amount="14.00",
                  lines=[{"line": first.pk, "amount": "200.00", "quantity": 2},
                         {"line": second.pk, "amount": "50.00", "quantity": 1}])
    paid.refresh_from_db()
    assert paid.status == SubOrderStatus.CANCELLED and paid.refunded_amount == paid.paid_amount == Decimal("264.00")
    assert done.restocked
    assert paid.status_changes.last().reason == f"refunded in full ({done.number})"
    with schema_context(paid.shop.schema_name):
        returned = StockMovement.objects.filter(reference=paid.number, kind=MovementKind.SALE_RETURN)
        assert sorted(returned.values_list("sku_id", "quantity", "unit_price")) == sorted(
            [(first.sku_id, 2, Decimal("100.00")), (second.sku_id, 1, Decimal("50.00"))])
        warehouse = StockBalance.objects.get(sku_id=first.sku_id, location_id=alpha.location_id)
        assert warehouse.on_hand == 10  # the two units sold are back
    with pytest.raises(Conflict):
        refund(paid, lines=[{"line": first.pk, "amount": "0.01"}])


def test_more_units_than_sold_cannot_go_back_into_stock(paid):
    first = lines_of(paid)[0]
    refund(paid, restock=True, lines=[{"line": first.pk, "amount": "10.00", "quantity": 2}])
    with pytest.raises(Conflict) as caught:
        refund(paid, restock=True, lines=[{"line": first.pk, "amount": "10.00", "quantity": 1}])
    assert caught.value.code == "refund_exceeds_quantity"


def test_a_form_sent_twice_makes_one_refund(paid):
    first = lines_of(paid)[0]
    one = refund(paid, request_key="form-1", lines=[{"line": first.pk, "amount": "10.00"}])
    two = refund(paid, request_key="form-1", lines=[{"line": first.pk, "amount": "10.00"}])
    assert one.pk == two.pk and OrderRefund.objects.count() == 1 and Refund.objects.count() == 1


def test_a_failed_refund_frees_its_amount_and_can_be_tried_again(paid, merchant_a, django_capture_on_commit_callbacks):
    first = lines_of(paid)[0]
    failing = refund(paid, lines=[{"line": first.pk, "amount": "200.00"}])  # not sent: callbacks not run
    payment_services.refund_settle(refund_id=Refund.objects.get(refund_no=failing.number).pk, status="failed",
                                   reason="ACCOUNT_FROZEN")
    failing.refresh_from_db()
    assert (failing.status, failing.failure_reason) == (RefundStatus.FAILED, "ACCOUNT_FROZEN")
    first.refresh_from_db()
    assert first.refunded_amount == 0
    with django_capture_on_commit_callbacks(execute=True):
        again = refunds.refund_retry(refund_number=failing.number, actor=merchant_a, shop_id=paid.shop_id)
    again.refresh_from_db()
    assert (again.status, again.attempts, again.payment_refund_no) == (RefundStatus.SUCCEEDED, 2, f"{failing.number}-2")
    first.refresh_from_db()
    assert first.refunded_amount == Decimal("200.00")
    with pytest.raises(Conflict) as caught:
        refunds.refund_retry(refund_number=failing.number, actor=merchant_a)
    assert caught.value.code == "not_failed"


def test_a_retry_that_no_longer_fits_is_refused(paid, merchant_a):
    first = lines_of(paid)[0]
    failing = refund(paid, lines=[{"line": first.pk, "amount": "150.00"}])
    payment_services.refund_settle(refund_id=Refund.objects.get(refund_no=failing.number).pk, status="failed",
                                   reason="refused")
    refund(paid, lines=[{"line": first.pk, "amount": "100.00"}])
    with pytest.raises(Conflict) as caught:
        refunds.refund_retry(refund_number=failing.number, actor=merchant_a)
    assert caught.value.code == "refund_exceeds_line"


def test_money_taken_at_the_counter_is_handed_back_by_the_shop(shopper, address, alpha, merchant_a):
    fill_cart(shopper, (alpha.shop, alpha.skus[1], 2))
    order = place(shopper, address, [{"shop_id": alpha.shop.pk, "delivery_method": "pickup",
                                      "pickup_location_id": alpha.store_id, "payment_mode": "at_pickup"}])
    sub = order.sub_orders.get()
    payments.offline_confirm(number=sub.offline_payment_number, actor_user_id=merchant_a.pk)
    sub.refresh_from_db()
    done = refund(sub, actor=merchant_a, lines=[{"line": sub.lines.get().pk, "amount": "50.00", "quantity": 1}])
    assert done.status == RefundStatus.PENDING and done.awaits_hand_back
    refunds.refund_handed_back(refund_number=done.number, shop_id=alpha.shop.pk, actor=merchant_a)
    done.refresh_from_db()
    sub.refresh_from_db()
    assert done.status == RefundStatus.SUCCEEDED and sub.refunded_amount == Decimal("50.00")
    with pytest.raises(NotFound):
        refunds.refund_handed_back(refund_number=done.number, shop_id=alpha.shop.pk + 999, actor=merchant_a)


@pytest.mark.django_db(transaction=True)
def test_two_refunds_at_once_never_give_back_more_than_the_line(racing_shop, shopper, merchant_a):
    from shared_apps.accounts import services as accounts

    from .conftest import stock_shop

    stocked = stock_shop(racing_shop, prices=("100.00",))
    address = accounts.address_create(user=shopper, data={
        "recipient_name": "张三", "phone": "13800138000", "province_code": "440000", "city_code": "440300",
        "district_code": "440305", "detail": "科技园 1 号"})
    fill_cart(shopper, (racing_shop, stocked.skus[0], 1))
    sub = place(shopper, address, express(racing_shop)).sub_orders.get()
    pay(sub.order)
    line = sub.lines.get()

    def attempt(i):
        return refunds.refund_create(number=sub.number, shop_id=racing_shop.pk, requested_by="shop",
                                     reason=f"race {i}", lines=[{"line": line.pk, "amount": "60.00"}])

    outcomes = run_threads(4, attempt)
    assert sum(isinstance(o, OrderRefund) for o in outcomes) == 1
    assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, OrderRefund)), outcomes
    assert SubOrder.objects.get(pk=sub.pk).refunds.count() == 1
