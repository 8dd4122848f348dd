"""Purchasing services: order lifecycle, receipts with the moving-average cost, over-receipt and
its tolerance, idempotent receipts, returns, and bad input that leaves nothing behind."""

import re
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.audit.models import AuditEntry
from tenant_apps.inventory import services as inventory
from tenant_apps.inventory.models import StockMovement
from tenant_apps.purchasing import services
from tenant_apps.purchasing.models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatusChange,
    PurchaseReturn,
    Receipt,
    ReceiptLine,
)
from tenant_apps.purchasing.services import OrderLineInput, QuantityInput, moving_average

from .conftest import cost, create_order, line_ids, on_hand, receive

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.mark.parametrize(
    ("on_hand_before", "old", "qty", "unit", "expected"),
    [
        (10, "5.00", 10, "6.00", "5.50"),
        (3, "1.00", 1, "2.00", "1.25"),
        (1, "1.01", 1, "1.00", "1.01"),  # 1.005: half-up gives 1.01 (half-even would give 1.00)
        (1, "0.01", 2, "0.00", "0.00"),  # 0.00333… rounds down
        (2, "0.01", 1, "0.02", "0.01"),  # 0.01333…
        (0, "9.99", 5, "3.00", "3.00"),  # nothing on hand: the receipt's cost
        (7, None, 3, "4.20", "4.20"),  # no cost yet: the receipt's cost
    ],
)
def test_moving_average_arithmetic(on_hand_before, old, qty, unit, expected):
    result = moving_average(
        on_hand=on_hand_before,
        old_cost=None if old is None else D(old),
        quantity=qty,
        unit_cost=D(unit),
    )
    assert result == D(expected) and str(result) == expected


def test_two_receipts_average_the_cost_exactly(shop_a, buy_a, merchant_a):
    first = create_order(shop_a, buy_a, [("sku1", 10, "5.00")], actor=merchant_a)
    receive(shop_a, first, {line_ids(shop_a, first)[0]: 10}, actor=merchant_a)
    assert cost(shop_a, buy_a["sku1"]) == D("5.00")
    second = create_order(shop_a, buy_a, [("sku1", 10, "6.00")], actor=merchant_a)
    receipt = receive(shop_a, second, {line_ids(shop_a, second)[0]: 10}, actor=merchant_a)
    assert cost(shop_a, buy_a["sku1"]) == D("5.50")
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (20, 0)
    with schema_context(shop_a.schema_name):
        line = ReceiptLine.objects.get(receipt=receipt)
        assert (line.cost_before, line.cost_after, line.unit_cost) == (
            D("5.00"),
            D("5.50"),
            D("6.00"),
        )
        movement = StockMovement.objects.get(reference=receipt.reference)
        assert (movement.kind, movement.quantity, movement.unit_cost) == (
            "purchase_receipt",
            10,
            D("6.00"),
        )


def test_average_counts_stock_at_every_location_and_rounds_half_up(shop_a, buy_a, merchant_a):
    with schema_context(shop_a.schema_name):
        inventory.movement_post(
            lines=[inventory.MovementLine(buy_a["sku1"], buy_a["st"], 3, "1.00")],
            kind="purchase_receipt",
            actor_user_id=merchant_a.pk,
        )
        from tenant_apps.catalog.models import SKU

        SKU.objects.filter(pk=buy_a["sku1"]).update(cost_price=D("1.00"))
    order = create_order(
        shop_a, buy_a, [("sku1", 1, "2.00"), ("sku2", 1, "1.00")], actor=merchant_a
    )
    l1, l2 = line_ids(shop_a, order)
    receive(
        shop_a, order, {l1: 1, l2: 1}, actor=merchant_a
    )  # 3 at the store + 1 into the warehouse
    assert cost(shop_a, buy_a["sku1"]) == D("1.25")
    assert cost(shop_a, buy_a["sku2"]) == D("1.00")
    half = create_order(shop_a, buy_a, [("sku2", 1, "1.01")], actor=merchant_a)
    receive(shop_a, half, {line_ids(shop_a, half)[0]: 1}, actor=merchant_a)
    assert cost(shop_a, buy_a["sku2"]) == D("1.01")  # (1.00 + 1.01) / 2 = 1.005 → 1.01


def test_partial_receipts_move_the_status_and_keep_history(shop_a, buy_a, merchant_a):
    order = create_order(
        shop_a, buy_a, [("sku1", 5, "2.00"), ("sku2", 2, "3.00")], actor=merchant_a
    )
    l1, l2 = line_ids(shop_a, order)
    receive(shop_a, order, {l1: 2}, actor=merchant_a)
    with schema_context(shop_a.schema_name):
        assert PurchaseOrder.objects.get(pk=order).status == "partially_received"
    receive(shop_a, order, {l1: 3, l2: 1}, actor=merchant_a)
    with schema_context(shop_a.schema_name):
        assert PurchaseOrder.objects.get(pk=order).status == "partially_received"
    receive(shop_a, order, {l2: 1}, actor=merchant_a)
    with schema_context(shop_a.schema_name):
        po = PurchaseOrder.objects.get(pk=order)
        assert po.status == "received"
        assert re.fullmatch(r"PO-\d{8}-0001", po.number)
        history = list(
            PurchaseOrderStatusChange.objects.filter(order=po).values_list(
                "from_status", "to_status"
            )
        )
        assert history == [
            ("", "draft"),
            ("draft", "ordered"),
            ("ordered", "partially_received"),
            ("partially_received", "received"),
        ]
        assert list(
            PurchaseOrderLine.objects.filter(order=po).values_list("quantity_received", flat=True)
        ) == [5, 2]
        assert (
            AuditEntry.objects.filter(shop_id=shop_a.pk, action="purchasing.receipt_post").count()
            == 3
        )
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (5, 0)
    with pytest.raises(Conflict) as exc, schema_context(shop_a.schema_name):
        services.receipt_post(
            order_id=order, lines=[QuantityInput(l1, 1)], actor=merchant_a, shop_id=shop_a.pk
        )
    assert exc.value.code == "order_not_receivable" and exc.value.status_code == 409


def test_order_numbers_count_up_per_day(shop_a, buy_a, merchant_a):
    first = create_order(shop_a, buy_a, [("sku1", 1, "1.00")], actor=merchant_a, place=False)
    second = create_order(shop_a, buy_a, [("sku1", 1, "1.00")], actor=merchant_a, place=False)
    with schema_context(shop_a.schema_name):
        a, b = (PurchaseOrder.objects.get(pk=pk).number for pk in (first, second))
    assert a.endswith("-0001") and b.endswith("-0002") and a[:12] == b[:12]


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_receipt_on_a_draft_or_cancelled_order_is_refused(shop_a, buy_a, merchant_a, status):
    order = create_order(shop_a, buy_a, [("sku1", 5, "2.00")], actor=merchant_a, place=False)
    if status == "cancelled":
        with schema_context(shop_a.schema_name):
            services.order_cancel(
                order_id=order, reason="supplier out", actor=merchant_a, shop_id=shop_a.pk
            )
    with pytest.raises(Conflict) as exc:
        receive(shop_a, order, {line_ids(shop_a, order)[0]: 1}, actor=merchant_a)
    assert exc.value.status_code == 409
    with schema_context(shop_a.schema_name):
        assert Receipt.objects.count() == 0 and StockMovement.objects.count() == 0
    assert cost(shop_a, buy_a["sku1"]) is None


def test_over_receipt_is_refused_naming_the_line_and_writes_nothing(shop_a, buy_a, merchant_a):
    order = create_order(
        shop_a, buy_a, [("sku1", 5, "2.00"), ("sku2", 10, "3.00")], actor=merchant_a
    )
    l1, l2 = line_ids(shop_a, order)
    with pytest.raises(Conflict) as exc:
        receive(shop_a, order, {l1: 5, l2: 11}, actor=merchant_a)
    assert exc.value.code == "over_receipt"
    assert list(exc.value.fields) == ["lines[1].quantity"] and "A-2" in exc.value.message
    with schema_context(shop_a.schema_name):
        assert Receipt.objects.count() == 0 and StockMovement.objects.count() == 0
        assert PurchaseOrder.objects.get(pk=order).status == "ordered"
        assert list(
            PurchaseOrderLine.objects.filter(order_id=order).values_list(
                "quantity_received", flat=True
            )
        ) == [0, 0]
    assert cost(shop_a, buy_a["sku1"]) is None


def test_tolerance_allows_a_little_more(shop_a, buy_a, merchant_a):
    with schema_context(shop_a.schema_name):
        services.settings_update(
            over_receipt_tolerance_percent="10", actor=merchant_a, shop_id=shop_a.pk
        )
    order = create_order(
        shop_a, buy_a, [("sku1", 10, "2.00"), ("sku2", 5, "1.00")], actor=merchant_a
    )
    l1, l2 = line_ids(shop_a, order)
    receive(shop_a, order, {l1: 11, l2: 5}, actor=merchant_a)  # 10 + 10 % = 11
    with schema_context(shop_a.schema_name):
        assert PurchaseOrder.objects.get(pk=order).status == "received"
    other = create_order(shop_a, buy_a, [("sku2", 5, "1.00")], actor=merchant_a)
    with pytest.raises(Conflict):  # 5 + 10 % = 5.5 → at most 5 whole units
        receive(shop_a, other, {line_ids(shop_a, other)[0]: 6}, actor=merchant_a)


def test_a_receipt_posted_twice_with_one_key_receives_once(shop_a, buy_a, merchant_a):
    order = create_order(shop_a, buy_a, [("sku1", 10, "2.00")], actor=merchant_a)
    (line,) = line_ids(shop_a, order)
    first = receive(shop_a, order, {line: 4}, actor=merchant_a, key="scan-42")
    again = receive(shop_a, order, {line: 4}, actor=merchant_a, key="scan-42")
    assert again.pk == first.pk and again.replayed
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (4, 0)
    other = create_order(shop_a, buy_a, [("sku1", 1, "2.00")], actor=merchant_a)
    with pytest.raises(Conflict) as exc:
        receive(shop_a, other, {line_ids(shop_a, other)[0]: 1}, actor=merchant_a, key="scan-42")
    assert "idempotency_key" in exc.value.fields


def test_returns_take_stock_back_out_within_what_was_received(shop_a, buy_a, merchant_a):
    order = create_order(shop_a, buy_a, [("sku1", 10, "5.00")], actor=merchant_a)
    (line,) = line_ids(shop_a, order)
    receive(shop_a, order, {line: 6}, actor=merchant_a)
    with schema_context(shop_a.schema_name):
        ret = services.return_post(
            order_id=order,
            lines=[QuantityInput(line, 2)],
            reason="damaged",
            actor=merchant_a,
            shop_id=shop_a.pk,
        )
        movement = StockMovement.objects.get(reference=ret.reference)
        assert (movement.kind, movement.quantity, movement.unit_cost) == (
            "purchase_return",
            -2,
            D("5.00"),
        )
        assert PurchaseOrderLine.objects.get(pk=line).quantity_returned == 2
        assert PurchaseOrder.objects.get(pk=order).status == "partially_received"
        with pytest.raises(Conflict) as exc:
            services.return_post(
                order_id=order, lines=[QuantityInput(line, 5)], actor=merchant_a, shop_id=shop_a.pk
            )
        assert (
            exc.value.code == "return_exceeds_received" and "lines[0].quantity" in exc.value.fields
        )
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (4, 0)
    assert cost(shop_a, buy_a["sku1"]) == D("5.00")


def test_a_return_of_units_no_longer_on_hand_is_refused_and_writes_nothing(
    shop_a, buy_a, merchant_a
):
    order = create_order(shop_a, buy_a, [("sku1", 5, "5.00")], actor=merchant_a)
    (line,) = line_ids(shop_a, order)
    receive(shop_a, order, {line: 5}, actor=merchant_a)
    with schema_context(shop_a.schema_name):
        inventory.transfer(
            from_location_id=buy_a["wh"],
            to_location_id=buy_a["st"],
            items=[(buy_a["sku1"], 4)],
            actor_user_id=merchant_a.pk,
        )
        with pytest.raises(Conflict) as exc:
            services.return_post(
                order_id=order, lines=[QuantityInput(line, 3)], actor=merchant_a, shop_id=shop_a.pk
            )
        assert exc.value.code == "insufficient_stock"
        assert PurchaseReturn.objects.count() == 0
        assert PurchaseOrderLine.objects.get(pk=line).quantity_returned == 0
        assert StockMovement.objects.filter(kind="purchase_return").count() == 0
    assert on_hand(shop_a, buy_a["wh"], buy_a["sku1"]) == (1, 0)


@pytest.mark.parametrize(
    ("line", "field", "error"),
    [
        (("sku1", "1.5", "1.00"), "lines[0].quantity", ServiceError),
        (("sku1", -3, "1.00"), "lines[0].quantity", ServiceError),
        (("sku1", 0, "1.00"), "lines[0].quantity", ServiceError),
        (("sku1", 2, "1.234"), "lines[0].unit_cost", ServiceError),
        (("sku1", 2, "-1.00"), "lines[0].unit_cost", ServiceError),
        ((999999, 2, "1.00"), "lines[0].sku_id", NotFound),
    ],
)
def test_bad_lines_name_the_field_and_create_no_order(
    shop_a, buy_a, merchant_a, line, field, error
):
    sku = buy_a.get(line[0], line[0]) if isinstance(line[0], str) else line[0]
    with schema_context(shop_a.schema_name):
        with pytest.raises(error) as exc:
            services.order_create(
                supplier_id=buy_a["supplier"],
                location_id=buy_a["wh"],
                actor_user_id=merchant_a.pk,
                lines=[OrderLineInput(sku, line[1], line[2])],
            )
        assert field in exc.value.fields
        assert PurchaseOrder.objects.count() == 0 and PurchaseOrderLine.objects.count() == 0


def test_unknown_supplier_or_location_is_404_naming_the_field(shop_a, buy_a, merchant_a):
    with schema_context(shop_a.schema_name):
        for kwargs, field in [
            ({"supplier_id": 999999, "location_id": buy_a["wh"]}, "supplier_id"),
            ({"supplier_id": buy_a["supplier"], "location_id": 999999}, "location_id"),
        ]:
            with pytest.raises(NotFound) as exc:
                services.order_create(**kwargs, lines=[], actor_user_id=merchant_a.pk)
            assert field in exc.value.fields
        assert PurchaseOrder.objects.count() == 0


def test_only_a_draft_is_edited_and_an_empty_draft_is_not_ordered(shop_a, buy_a, merchant_a):
    order = create_order(shop_a, buy_a, [], actor=merchant_a, place=False)
    with schema_context(shop_a.schema_name):
        with pytest.raises(ServiceError) as exc:
            services.order_place(order_id=order, actor=merchant_a, shop_id=shop_a.pk)
        assert "lines" in exc.value.fields
        services.order_update(
            order_id=order, data={"note": "rush"}, lines=[OrderLineInput(buy_a["sku2"], 3, "4.00")]
        )
        services.order_place(order_id=order, actor=merchant_a, shop_id=shop_a.pk)
        with pytest.raises(Conflict):
            services.order_update(order_id=order, data={"note": "late"})
        with pytest.raises(Conflict):
            services.order_place(order_id=order, actor=merchant_a, shop_id=shop_a.pk)
        po = PurchaseOrder.objects.get(pk=order)
        assert (po.note, po.status) == ("rush", "ordered")
        assert list(po.lines.values_list("sku_id", "quantity_ordered")) == [(buy_a["sku2"], 3)]


def test_received_order_cannot_be_cancelled(shop_a, buy_a, merchant_a):
    order = create_order(shop_a, buy_a, [("sku1", 1, "1.00")], actor=merchant_a)
    receive(shop_a, order, {line_ids(shop_a, order)[0]: 1}, actor=merchant_a)
    with schema_context(shop_a.schema_name), pytest.raises(Conflict):
        services.order_cancel(order_id=order, actor=merchant_a, shop_id=shop_a.pk)


def test_supplier_codes_are_unique(shop_a, buy_a):
    with schema_context(shop_a.schema_name):
        with pytest.raises(Conflict) as exc:
            services.supplier_create(data={"name": "Again", "code": "SUP"})
        assert "code" in exc.value.fields
        with pytest.raises(ServiceError):
            services.supplier_create(data={"name": "", "code": "X"})
