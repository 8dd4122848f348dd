"""The stock ledger, balances, reservations, stocktake and low-stock alerts, through services."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from tenant_apps.inventory import selectors, services
from tenant_apps.inventory.models import Reservation, StockMovement, StockTake
from tenant_apps.inventory.services import MovementLine

from .conftest import make_location, on_hand

pytestmark = pytest.mark.django_db


def receive(shop, stock, qty, loc="wh", sku="sku1", cost="10.00"):
    with schema_context(shop.schema_name):
        return services.movement_post(
            lines=[MovementLine(stock[sku], stock[loc], qty, cost)], kind="purchase_receipt",
            reference="PO1", actor_user_id=1,
        )


def test_receipt_and_sale_move_balance_and_ledger(shop_a, stock_a):
    receive(shop_a, stock_a, 10)
    with schema_context(shop_a.schema_name):
        services.movement_post(lines=[MovementLine(stock_a["sku1"], stock_a["wh"], -3)], kind="sale",
                               reference="SO1", actor_user_id=None)
        rows = list(StockMovement.objects.order_by("id").values_list("kind", "quantity", "unit_cost", "reference"))
        assert selectors.ledger_drift() == []
    assert rows == [("purchase_receipt", 10, Decimal("10.00"), "PO1"), ("sale", -3, None, "SO1")]
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (7, 0)


def test_a_batch_is_all_or_nothing_and_names_the_short_sku(shop_a, stock_a):
    receive(shop_a, stock_a, 2)
    with schema_context(shop_a.schema_name), pytest.raises(Conflict) as exc:
        services.movement_post(
            lines=[MovementLine(stock_a["sku1"], stock_a["wh"], -1), MovementLine(stock_a["sku2"], stock_a["wh"], -1)],
            kind="sale", reference="SO2", actor_user_id=None,
        )
    assert exc.value.code == "insufficient_stock" and "A-2" in exc.value.message
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (2, 0)
    with schema_context(shop_a.schema_name):
        assert StockMovement.objects.count() == 1


@pytest.mark.parametrize(
    ("line", "kind", "field"),
    [
        ({"quantity": 1.5}, "purchase_receipt", "lines[0].quantity"),
        ({"quantity": -2}, "purchase_receipt", "lines[0].quantity"),
        ({"quantity": 2}, "sale", "lines[0].quantity"),
        ({"quantity": 0}, "adjustment", "lines[0].quantity"),
        ({"quantity": 1, "unit_cost": "1.005"}, "purchase_receipt", "lines[0].unit_cost"),
        ({"quantity": 1, "unit_cost": "-1"}, "purchase_receipt", "lines[0].unit_cost"),
        ({"quantity": 1, "sku_id": 999999}, "purchase_receipt", "sku_id"),
        ({"quantity": 1, "location_id": 999999}, "purchase_receipt", "location_id"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(shop_a, stock_a, line, kind, field):
    values = {"sku_id": stock_a["sku1"], "location_id": stock_a["wh"], "unit_cost": None, **line}
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.movement_post(lines=[MovementLine(**values)], kind=kind, reference="", actor_user_id=1)
        assert field in exc.value.fields
        assert StockMovement.objects.count() == 0


def test_transfer_moves_between_locations(shop_a, stock_a):
    receive(shop_a, stock_a, 5)
    with schema_context(shop_a.schema_name):
        services.transfer(from_location_id=stock_a["wh"], to_location_id=stock_a["st"],
                          items=[(stock_a["sku1"], 2)], reference="TR1", actor_user_id=1)
        with pytest.raises(Conflict):
            services.transfer(from_location_id=stock_a["wh"], to_location_id=stock_a["st"],
                              items=[(stock_a["sku1"], 4)], actor_user_id=1)
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (3, 0)
    assert on_hand(shop_a, stock_a["st"], stock_a["sku1"]) == (2, 0)


def test_adjust_needs_a_reason_and_is_audited(shop_a, stock_a, merchant_a):
    receive(shop_a, stock_a, 5)
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.adjust(sku_id=stock_a["sku1"], location_id=stock_a["wh"], quantity=-1, reason=" ",
                            actor=merchant_a, shop_id=shop_a.pk)
        assert "reason" in exc.value.fields
        services.adjust(sku_id=stock_a["sku1"], location_id=stock_a["wh"], quantity=-2, reason="broken",
                        actor=merchant_a, shop_id=shop_a.pk)
    entry = AuditEntry.objects.get(action="inventory.adjust")
    assert (entry.shop_id, entry.before, entry.after, entry.reason) == (shop_a.pk, {"on_hand": 5}, {"on_hand": 3}, "broken")
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (3, 0)


def test_reserve_follows_allocation_order_and_splits(shop_a, stock_a):
    receive(shop_a, stock_a, 2, loc="wh")
    receive(shop_a, stock_a, 3, loc="st")
    with schema_context(shop_a.schema_name):
        services.location_reorder(ordered_ids=[stock_a["st"], stock_a["wh"]])
        held = services.reserve(reference="SUB1", items=[(stock_a["sku1"], 4)])
        assert sorted((r.location_id, r.quantity) for r in held) == sorted([(stock_a["st"], 3), (stock_a["wh"], 1)])
        again = services.reserve(reference="SUB1", items=[(stock_a["sku1"], 4)])
        assert [r.pk for r in again] == [r.pk for r in held]
        with pytest.raises(Conflict) as exc:
            services.reserve(reference="SUB2", items=[(stock_a["sku1"], 2)])
        assert "A-1" in exc.value.message and Reservation.objects.filter(reference="SUB2").count() == 0
    assert on_hand(shop_a, stock_a["st"], stock_a["sku1"]) == (3, 3)
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (2, 1)


def test_reserve_only_online_locations_unless_pickup(shop_a, stock_a):
    with schema_context(shop_a.schema_name):
        services.location_update(location_id=stock_a["st"], data={"sells_online": False})
    receive(shop_a, stock_a, 3, loc="st")
    with schema_context(shop_a.schema_name):
        with pytest.raises(Conflict):
            services.reserve(reference="SUB1", items=[(stock_a["sku1"], 1)])
        services.reserve(reference="SUB1", items=[(stock_a["sku1"], 1)], pickup_location_id=stock_a["st"])
        with pytest.raises(ServiceError) as exc:
            services.reserve(reference="SUB2", items=[(stock_a["sku1"], 1)], pickup_location_id=stock_a["wh"])
        assert "pickup_location_id" in exc.value.fields


def test_commit_makes_a_sale_and_release_frees_stock(shop_a, stock_a):
    receive(shop_a, stock_a, 5)
    with schema_context(shop_a.schema_name):
        services.reserve(reference="S1", items=[(stock_a["sku1"], 2)])
        services.reserve(reference="S2", items=[(stock_a["sku1"], 1)])
        services.commit(reference="S1")
        services.commit(reference="S1")  # idempotent
        services.release(reference="S2")
        services.release(reference="S2")
        with pytest.raises(Conflict):
            services.release(reference="S1")
        with pytest.raises(NotFound):
            services.commit(reference="nope")
        assert list(StockMovement.objects.filter(kind="sale").values_list("quantity", "reference")) == [(-2, "S1")]
        assert selectors.ledger_drift() == []
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (3, 0)


def test_a_movement_cannot_take_reserved_units(shop_a, stock_a):
    receive(shop_a, stock_a, 2)
    with schema_context(shop_a.schema_name):
        services.reserve(reference="S1", items=[(stock_a["sku1"], 2)])
        with pytest.raises(Conflict):
            services.movement_post(lines=[MovementLine(stock_a["sku1"], stock_a["wh"], -1)], kind="sale",
                                   reference="POS", actor_user_id=1)


def test_stocktake_posts_variances_once(shop_a, stock_a, merchant_a):
    receive(shop_a, stock_a, 5)
    receive(shop_a, stock_a, 2, sku="sku2")
    with schema_context(shop_a.schema_name):
        take = services.stocktake_open(location_id=stock_a["wh"], actor_user_id=merchant_a.pk)
        with pytest.raises(Conflict):
            services.stocktake_open(location_id=stock_a["wh"], actor_user_id=merchant_a.pk)
        for _ in range(3):
            services.stocktake_count(stocktake_id=take.pk, code="A-1")  # three scans
        services.stocktake_count(stocktake_id=take.pk, code="6900000000002", quantity=4, mode="set")  # by GTIN
        with pytest.raises(NotFound):
            services.stocktake_count(stocktake_id=take.pk, code="nothing")
        services.stocktake_post(stocktake_id=take.pk, actor=merchant_a, shop_id=shop_a.pk)
        with pytest.raises(Conflict):
            services.stocktake_post(stocktake_id=take.pk, actor=merchant_a, shop_id=shop_a.pk)
        assert sorted(StockMovement.objects.filter(kind="stocktake_variance").values_list("sku_id", "quantity")) == [
            (stock_a["sku1"], -2), (stock_a["sku2"], 2)]
        assert StockTake.objects.get().status == "posted"
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku1"]) == (3, 0)
    assert on_hand(shop_a, stock_a["wh"], stock_a["sku2"]) == (4, 0)


def test_low_stock_mails_once_when_crossing(shop_a, stock_a, smtp, django_capture_on_commit_callbacks):
    receive(shop_a, stock_a, 10)
    with schema_context(shop_a.schema_name):
        services.threshold_set(sku_id=stock_a["sku1"], location_id=None, threshold=5)
        with django_capture_on_commit_callbacks(execute=True):
            services.movement_post(lines=[MovementLine(stock_a["sku1"], stock_a["wh"], -6)], kind="sale",
                                   reference="S", actor_user_id=None)
        with django_capture_on_commit_callbacks(execute=True):
            services.movement_post(lines=[MovementLine(stock_a["sku1"], stock_a["wh"], -1)], kind="sale",
                                   reference="S", actor_user_id=None)
        assert selectors.low_stock() == [{"sku_id": stock_a["sku1"], "sku_code": "A-1", "location_id": None,
                                          "location_name": "", "threshold": 5, "on_hand": 3}]
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["To"] == "owner@alpha.example"
    assert "A-1" in smtp.bodies()[0]


def test_locations_codes_unique_and_reorder(shop_a, stock_a):
    with schema_context(shop_a.schema_name):
        with pytest.raises(Conflict) as exc:
            services.location_create(data={"name": "x", "code": "WH"})
        assert "code" in exc.value.fields
        with pytest.raises(ServiceError) as exc:
            services.location_create(data={"name": "x", "code": "X", "province_code": "11"})
        assert "province_code" in exc.value.fields
        services.location_move(location_id=stock_a["st"], up=True)
        assert list(selectors.locations().values_list("code", flat=True)) == ["ST", "WH"]


def test_check_command_reports_drift(shop_a, stock_a, capsys):
    receive(shop_a, stock_a, 4)
    call_command("check_stock_ledger", schema=[shop_a.schema_name])
    assert "0 balance row(s) drifted" in capsys.readouterr().out
    with schema_context(shop_a.schema_name):
        from tenant_apps.inventory.models import StockBalance

        StockBalance.objects.update(on_hand=3)
    with pytest.raises(Exception, match="differ"):
        call_command("check_stock_ledger", schema=[shop_a.schema_name])
    assert "on_hand=3 ledger=4" in capsys.readouterr().out


def test_make_location_helper(shop_a):
    assert make_location(shop_a, "Z")
