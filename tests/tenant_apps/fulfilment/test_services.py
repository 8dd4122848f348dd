"""Shipping in parcels, the quantities rule, tracking events and their projection, delivery of
the sub-order, and what the platform side reads (interface.shipments_for)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.orders.models import SubOrder
from tenant_apps.fulfilment import interface, selectors, services
from tenant_apps.fulfilment.carriers.base import CarrierEvent
from tenant_apps.fulfilment.models import Shipment, ShipmentLine, TrackingEvent
from tenant_apps.fulfilment.services import ShipLine

from .conftest import CountQueries, in_shop, line_ids, make_sub_order

pytestmark = pytest.mark.django_db


def ship(shop, sub, *, carrier="sf", tracking="SF1000001", lines=None, actor=1):
    with in_shop(shop):
        return services.shipment_create(
            shop=shop,
            number=sub.number,
            carrier=carrier,
            tracking_number=tracking,
            lines=lines,
            actor_user_id=actor,
        )


def event(tracking, step, code, minutes=0):
    return CarrierEvent(
        event_id=f"{tracking}-{step}",
        tracking_number=tracking,
        code=code,
        description=code,
        location="深圳",
        occurred_at=timezone.now() + timedelta(minutes=minutes),
    )


def record(shop, carrier, ev) -> bool:
    with in_shop(shop):
        return services.tracking_event_record(shop_id=shop.pk, carrier=carrier, event=ev)


def status_of(sub) -> str:
    return SubOrder.objects.get(pk=sub.pk).status


def shipped(shop, sub) -> dict[int, int]:
    with in_shop(shop):
        return selectors.shipped_quantities([sub.number]).get(sub.number, {})


def test_a_sub_order_ships_in_two_parcels(shop_a, paid_a, merchant_a):
    l1, l2 = line_ids(paid_a)
    first = ship(
        shop_a, paid_a, tracking="sf 100 0001", lines=[ShipLine(l1, 1)], actor=merchant_a.pk
    )
    assert (first.carrier, first.tracking_number, first.created_by_user_id) == (
        "sf",
        "SF1000001",
        merchant_a.pk,
    )
    assert status_of(paid_a) == "shipped"
    assert shipped(shop_a, paid_a) == {l1: 1}
    second = ship(shop_a, paid_a, tracking="SF1000002", actor=merchant_a.pk)  # the rest
    with in_shop(shop_a):
        assert list(second.lines.values_list("order_line_id", "sku_code", "quantity")) == [
            (l1, "A-1", 1),
            (l2, "A-2", 1),
        ]
    assert shipped(shop_a, paid_a) == {l1: 2, l2: 1}
    moves = list(paid_a.status_changes.values_list("from_status", "to_status", "actor_user_id"))
    assert moves == [("paid", "shipped", merchant_a.pk)]  # the second parcel moved nothing
    with pytest.raises(Conflict) as refused:
        ship(shop_a, paid_a, tracking="SF1000003")
    assert refused.value.code == "nothing_to_ship"


def test_over_shipping_is_refused_and_leaves_nothing(shop_a, paid_a):
    l1, l2 = line_ids(paid_a)
    ship(shop_a, paid_a, lines=[ShipLine(l1, 2)])
    with pytest.raises(Conflict) as refused:
        ship(shop_a, paid_a, tracking="SF0002", lines=[ShipLine(l2, 1), ShipLine(l1, 1)])
    assert refused.value.code == "over_shipped"
    assert refused.value.message == "A-1: 1 to ship, but only 0 of 2 remain unshipped."
    assert refused.value.fields == {"lines[1].quantity": ["More than remains unshipped."]}
    with in_shop(shop_a):
        assert Shipment.objects.count() == 1 and ShipmentLine.objects.count() == 1


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([ShipLine(999999, 1)], "lines[0].order_line_id"),
        ([ShipLine("first", 0)], "lines[0].order_line_id"),
    ],
)
def test_bad_lines_name_the_field(shop_a, paid_a, lines, field):
    with pytest.raises(ServiceError) as refused:
        ship(shop_a, paid_a, lines=lines)
    assert refused.value.status_code == 400 and field in refused.value.fields
    assert status_of(paid_a) == "paid"


def test_zero_or_repeated_lines_are_refused(shop_a, paid_a):
    l1, _l2 = line_ids(paid_a)
    for lines, field in (
        ([ShipLine(l1, 0)], "lines[0].quantity"),
        ([ShipLine(l1, 1), ShipLine(l1, 1)], "lines[1].order_line_id"),
    ):
        with pytest.raises(ServiceError) as refused:
            ship(shop_a, paid_a, lines=lines)
        assert list(refused.value.fields) == [field]


def test_shipping_an_unpaid_order_is_refused(shop_a, shopper):
    sub = make_sub_order(shop_a, shopper, status="pending_payment")
    with pytest.raises(Conflict) as refused:
        ship(shop_a, sub)
    assert (refused.value.status_code, refused.value.code) == (409, "unpaid")
    assert refused.value.message == f"Order {sub.number} is not paid yet; it cannot be shipped."
    assert status_of(sub) == "pending_payment"
    with in_shop(shop_a):
        assert not Shipment.objects.exists()


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("cancelled", "not_shippable"),
        ("delivered", "not_shippable"),
        ("completed", "not_shippable"),
    ],
)
def test_closed_orders_are_not_shipped(shop_a, shopper, status, code):
    sub = make_sub_order(shop_a, shopper, status=status)
    with pytest.raises(Conflict) as refused:
        ship(shop_a, sub)
    assert refused.value.code == code


def test_a_shop_that_confirms_orders_confirms_before_shipping(shop_a, shopper, merchant_a):
    sub = make_sub_order(shop_a, shopper, requires_confirmation=True)
    with pytest.raises(Conflict) as refused:
        ship(shop_a, sub)
    assert refused.value.code == "not_confirmed"
    with in_shop(shop_a):
        services.sub_order_confirm(
            shop_id=shop_a.pk, number=sub.number, actor_user_id=merchant_a.pk
        )
        with pytest.raises(Conflict):  # twice: the transition table says no
            services.sub_order_confirm(
                shop_id=shop_a.pk, number=sub.number, actor_user_id=merchant_a.pk
            )
    ship(shop_a, sub)
    assert list(sub.status_changes.values_list("to_status", flat=True)) == ["confirmed", "shipped"]


def test_a_pickup_order_is_not_shipped(shop_a, shopper):
    sub = make_sub_order(shop_a, shopper, delivery_method="pickup", pickup_code="123456")
    with pytest.raises(Conflict) as refused:
        ship(shop_a, sub)
    assert refused.value.code == "pickup_order"


def test_carrier_and_tracking_number_rules(shop_a, shopper, paid_a):
    other = make_sub_order(shop_a, shopper)
    ship(shop_a, paid_a, tracking="SF777")
    with pytest.raises(Conflict) as taken:
        ship(shop_a, other, tracking="sf777")
    assert taken.value.code == "tracking_number_taken" and "tracking_number" in taken.value.fields
    ship(shop_a, other, carrier="zto", tracking="SF777")  # unique per carrier only
    for carrier, tracking, field in (
        ("dhl", "X1234", "carrier"),
        ("sf", "", "tracking_number"),
        ("sf", "12", "tracking_number"),
        ("sf", "AB#1234", "tracking_number"),
    ):
        with pytest.raises(ServiceError) as refused:
            ship(shop_a, make_sub_order(shop_a, shopper), carrier=carrier, tracking=tracking)
        assert list(refused.value.fields) == [field], (carrier, tracking)


def test_the_simulated_carrier_issues_a_waybill_and_is_asked_for_tracking(
    shop_a, paid_a, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(
        "tenant_apps.fulfilment.tasks.sim_carrier_push.apply_async",
        lambda kwargs, countdown: sent.append((kwargs, countdown)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        shipment = ship(shop_a, paid_a, carrier="sim", tracking="")
    assert shipment.tracking_number.startswith("SIM") and len(shipment.tracking_number) == 15
    assert sent == [
        (
            {
                "callback_url": "http://alpha.mall.localhost/api/v1/shop/fulfilment/carrier/sim/events/",
                "tracking_number": shipment.tracking_number,
                "step": 0,
            },
            30.0,
        )
    ]


def test_a_broker_outage_does_not_undo_the_parcel(
    shop_a, paid_a, monkeypatch, django_capture_on_commit_callbacks
):
    def down(**kwargs):
        raise OSError("broker unreachable")

    monkeypatch.setattr("tenant_apps.fulfilment.tasks.sim_carrier_push.apply_async", down)
    with django_capture_on_commit_callbacks(execute=True):
        shipment = ship(shop_a, paid_a, carrier="sim", tracking="")
    with in_shop(shop_a):
        assert Shipment.objects.get().pk == shipment.pk
    assert status_of(paid_a) == "shipped"


def test_a_carrier_without_a_feed_is_not_asked(shop_a, paid_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ship(shop_a, paid_a, carrier="sf", tracking="SF0001")
    assert callbacks == []


# --- tracking ----------------------------------------------------------------------------------


def test_events_project_the_parcel_status_and_replays_change_nothing(shop_a, paid_a):
    parcel = ship(shop_a, paid_a, tracking="SF0009")
    assert record(shop_a, "sf", event("SF0009", 1, "picked_up", 1)) is True
    assert record(shop_a, "sf", event("SF0009", 1, "picked_up", 1)) is False  # replay
    with in_shop(shop_a):
        parcel.refresh_from_db()
        assert parcel.status == "in_transit" and TrackingEvent.objects.count() == 1
    record(shop_a, "sf", event("SF0009", 3, "exception", 3))
    record(shop_a, "sf", event("SF0009", 2, "in_transit", 2))  # late, older than the exception
    with in_shop(shop_a):
        parcel.refresh_from_db()
        assert parcel.status == "exception"
    record(shop_a, "sf", event("SF0009", 5, "delivered", 5))
    record(
        shop_a, "sf", event("SF0009", 4, "out_for_delivery", 6)
    )  # after delivery: stays delivered
    with in_shop(shop_a):
        parcel.refresh_from_db()
        assert parcel.status == "delivered" and parcel.delivered_at is not None
    assert status_of(paid_a) == "delivered"
    assert list(paid_a.status_changes.values_list("to_status", flat=True)) == [
        "shipped",
        "delivered",
    ]


def test_an_unknown_tracking_number_is_not_found(shop_a):
    with pytest.raises(NotFound):
        record(shop_a, "sf", event("NOPE1", 1, "picked_up"))


def test_the_order_is_delivered_only_when_all_of_it_shipped_and_arrived(shop_a, paid_a):
    l1, l2 = line_ids(paid_a)
    ship(shop_a, paid_a, tracking="PP0001", lines=[ShipLine(l1, 2)])
    record(shop_a, "sf", event("PP0001", 1, "delivered"))
    assert status_of(paid_a) == "shipped"  # A-2 has not left yet
    ship(shop_a, paid_a, tracking="PP0002", lines=[ShipLine(l2, 1)])
    record(shop_a, "sf", event("PP0002", 1, "in_transit"))
    assert status_of(paid_a) == "shipped"
    record(shop_a, "sf", event("PP0002", 2, "delivered"))
    assert status_of(paid_a) == "delivered"


def test_staff_record_deliveries_of_carriers_without_a_feed(shop_a, paid_a, shopper, merchant_a):
    parcel = ship(shop_a, paid_a, tracking="SF0005")
    with in_shop(shop_a):
        done = services.shipment_mark_delivered(
            shop_id=shop_a.pk, shipment_id=parcel.pk, actor_user_id=merchant_a.pk
        )
        again = services.shipment_mark_delivered(
            shop_id=shop_a.pk, shipment_id=parcel.pk, actor_user_id=merchant_a.pk
        )
        assert done.status == again.status == "delivered"
        assert list(TrackingEvent.objects.values_list("source", "actor_user_id")) == [
            ("staff", merchant_a.pk)
        ]
    assert status_of(paid_a) == "delivered"
    tracked = ship(
        shop_a, make_sub_order(shop_a, shopper), carrier="sim", tracking="SIM000000000001"
    )
    with in_shop(shop_a), pytest.raises(Conflict) as refused:
        services.shipment_mark_delivered(
            shop_id=shop_a.pk, shipment_id=tracked.pk, actor_user_id=merchant_a.pk
        )
    assert refused.value.code == "carrier_reports_delivery"


def test_shipments_for_gives_the_buyer_the_timeline(shop_a, paid_a):
    l1, _l2 = line_ids(paid_a)
    ship(shop_a, paid_a, tracking="TT0001", lines=[ShipLine(l1, 1)])
    ship(shop_a, paid_a, carrier="zto", tracking="TT0002")
    record(shop_a, "sf", event("TT0001", 1, "picked_up", 1))
    record(shop_a, "sf", event("TT0001", 2, "in_transit", 2))
    with in_shop(shop_a), CountQueries() as queries:
        parcels = interface.shipments_for(paid_a.number)
    assert queries.count == 3
    assert [(p.carrier, p.carrier_name, p.tracking_number, p.status) for p in parcels] == [
        ("sf", "SF Express", "TT0001", "in_transit"),
        ("zto", "ZTO Express", "TT0002", "created"),
    ]
    assert [(e.code, e.label) for e in parcels[0].events] == [
        ("in_transit", "In transit"),
        ("picked_up", "Picked up"),
    ]
    assert [(x.sku_code, x.quantity) for x in parcels[1].lines] == [("A-1", 1), ("A-2", 1)]
    with in_shop(shop_a):
        assert interface.shipments_for("nothing-1") == []
