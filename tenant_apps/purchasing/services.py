"""Writes to a shop's purchasing: suppliers, purchase orders, receipts, returns, settings.

Stock moves only through `inventory.services.movement_post`, inside the same transaction as the
purchasing rows, so a refused receipt or return leaves neither stock nor purchasing rows behind.

Locking order (the same everywhere, so two transactions never wait on each other in a cycle):
the idempotency key's advisory lock, the purchase order row, its lines (by id), the SKU rows (by
id), then the stock balance rows in the inventory's (location, sku) order.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Length
from django.utils import timezone

from backend.api.errors import Conflict, NotFound, ServiceError
from backend.lib.money import parse_amount, to_fen
from shared_apps.audit.services import audit_record
from tenant_apps.catalog.models import SKU
from tenant_apps.inventory.models import Location, MovementKind, StockBalance
from tenant_apps.inventory.services import MovementLine, movement_post, whole_units

from . import transitions
from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseOrderStatusChange,
    PurchaseReturn,
    PurchaseReturnLine,
    PurchasingSettings,
    Receipt,
    ReceiptLine,
    Supplier,
)

MAX_LINES = 500
SUPPLIER_FIELDS = ("name", "code", "contact", "phone", "address", "payment_terms", "is_active")
SUPPLIER_LIMITS = {
    "name": 100,
    "code": 32,
    "contact": 60,
    "phone": 30,
    "address": 200,
    "payment_terms": 200,
}


@dataclass(frozen=True)
class OrderLineInput:
    """One line of a purchase order as the caller gives it (values checked by the service)."""

    sku_id: int | str
    quantity: object
    unit_cost: object


@dataclass(frozen=True)
class QuantityInput:
    """Units of one purchase order line to receive or return."""

    line_id: int | str
    quantity: object


# --- helpers -----------------------------------------------------------------------------------


def moving_average(
    *, on_hand: int, old_cost: Decimal | None, quantity: int, unit_cost: Decimal
) -> Decimal:
    """The moving-average unit cost after receiving `quantity` at `unit_cost` onto `on_hand`
    units worth `old_cost` each (None: no cost yet, so the receipt's cost is the cost), rounded
    to the fen half-up. Pure, so its arithmetic is tested on its own."""
    if old_cost is None or on_hand <= 0:
        return to_fen(unit_cost)
    return to_fen((on_hand * old_cost + quantity * unit_cost) / (on_hand + quantity))


def _amount(value, *, field: str) -> Decimal:
    if value is None or value == "":
        raise ServiceError(
            f"{field}: enter an amount.", fields={field: ["Enter an amount such as 12.50."]}
        )
    try:
        return parse_amount(value, field=field)
    except ValidationError as exc:
        message = exc.message_dict[field][0]
        raise ServiceError(f"{field}: {message}", fields={field: [message]}) from exc


def _int_id(value, *, field: str, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ServiceError(
            f"{field}: choose a {what}.", fields={field: [f"Choose a {what}."]}
        ) from exc


def _key(value: str) -> str:
    key = (value or "").strip()
    if len(key) > 64:
        raise ServiceError(
            "idempotency_key: at most 64 characters.",
            fields={"idempotency_key": ["At most 64 characters."]},
        )
    return key


def _advisory_lock(name: str) -> None:
    """A transaction-scoped lock on `name` in this shop's schema: serialises retries of one
    idempotency key, and the numbering of one day's orders."""
    key = zlib.crc32(f"{connection.schema_name}:purchasing:{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x9C5, key - 2**31])


def _supplier(supplier_id, *, active: bool = True) -> Supplier:
    pk = _int_id(supplier_id, field="supplier_id", what="supplier")
    supplier = Supplier.objects.filter(pk=pk).first()
    if supplier is None:
        raise NotFound(
            "supplier_id: unknown supplier.", fields={"supplier_id": ["Unknown supplier."]}
        )
    if active and not supplier.is_active:
        raise ServiceError(
            "supplier_id: this supplier is inactive.",
            fields={"supplier_id": ["This supplier is inactive."]},
        )
    return supplier


def _location(location_id) -> Location:
    pk = _int_id(location_id, field="location_id", what="location")
    location = Location.objects.filter(pk=pk).first()
    if location is None:
        raise NotFound(
            "location_id: unknown location.", fields={"location_id": ["Unknown location."]}
        )
    if not location.is_active:
        raise ServiceError(
            "location_id: this location is inactive.",
            fields={"location_id": ["This location is inactive."]},
        )
    return location


def _locked_order(order_id) -> PurchaseOrder:
    pk = _int_id(order_id, field="order_id", what="purchase order")
    order = PurchaseOrder.objects.select_for_update().filter(pk=pk).first()
    if order is None:
        raise NotFound("Unknown purchase order.")
    return order


def _transition(
    *, order: PurchaseOrder, to: str, actor_user_id: int | None, reason: str = ""
) -> None:
    """Move a locked order to `to` if `transitions.ALLOWED` permits it (409 otherwise) and append
    the history row."""
    if to not in transitions.ALLOWED[order.status]:
        raise Conflict(
            f"A purchase order that is {PurchaseOrderStatus(order.status).label.lower()} cannot become "
            f"{PurchaseOrderStatus(to).label.lower()}.",
            code="invalid_status",
        )
    PurchaseOrderStatusChange.objects.create(
        order=order,
        from_status=order.status,
        to_status=to,
        actor_user_id=actor_user_id,
        reason=reason[:200],
    )
    order.status = to
    order.save(update_fields=["status", "updated_at"])


def _checked_lines(lines: list[OrderLineInput]) -> list[tuple[int, int, Decimal]]:
    """(sku_id, quantity, unit_cost) per line: whole units ≥ 1, a cost of at most 2 decimals,
    SKUs that exist (404 naming the line) and appear once."""
    if len(lines) > MAX_LINES:
        raise ServiceError(
            f"lines: at most {MAX_LINES} lines.", fields={"lines": [f"At most {MAX_LINES} lines."]}
        )
    checked, seen = [], {}
    for index, line in enumerate(lines):
        field = f"lines[{index}]"
        sku_id = _int_id(line.sku_id, field=f"{field}.sku_id", what="SKU")
        quantity = whole_units(line.quantity, field=f"{field}.quantity")
        cost = _amount(line.unit_cost, field=f"{field}.unit_cost")
        if sku_id in seen:
            raise ServiceError(
                f"{field}.sku_id: this SKU is already on line {seen[sku_id] + 1}.",
                fields={f"{field}.sku_id": ["This SKU is already on the order."]},
            )
        seen[sku_id] = index
        checked.append((sku_id, quantity, cost))
    known = set(SKU.objects.filter(pk__in=seen).values_list("id", flat=True))
    for sku_id, index in seen.items():
        if sku_id not in known:
            raise NotFound(
                f"lines[{index}].sku_id: unknown SKU.",
                fields={f"lines[{index}].sku_id": ["Unknown SKU."]},
            )
    return checked


def _checked_quantities(lines: list[QuantityInput]) -> list[tuple[int, int]]:
    if not lines:
        raise ServiceError(
            "lines: enter at least one quantity.",
            fields={"lines": ["Enter at least one quantity."]},
        )
    if len(lines) > MAX_LINES:
        raise ServiceError(
            f"lines: at most {MAX_LINES} lines.", fields={"lines": [f"At most {MAX_LINES} lines."]}
        )
    out, seen = [], set()
    for index, line in enumerate(lines):
        line_id = _int_id(line.line_id, field=f"lines[{index}].line_id", what="line")
        quantity = whole_units(line.quantity, field=f"lines[{index}].quantity")
        if line_id in seen:
            raise ServiceError(
                f"lines[{index}].line_id: this line is listed twice.",
                fields={f"lines[{index}].line_id": ["This line is listed twice."]},
            )
        seen.add(line_id)
        out.append((line_id, quantity))
    return out


def _locked_lines(
    order: PurchaseOrder, wanted: list[tuple[int, int]]
) -> dict[int, PurchaseOrderLine]:
    rows = {
        line.pk: line
        for line in PurchaseOrderLine.objects.select_for_update()
        .select_related("sku")
        .filter(order=order)
        .order_by("id")
    }
    for index, (line_id, _quantity) in enumerate(wanted):
        if line_id not in rows:
            raise NotFound(
                f"lines[{index}].line_id: not a line of {order.number}.",
                fields={f"lines[{index}].line_id": ["Not a line of this purchase order."]},
            )
    return rows


def _next_number(today: date) -> str:
    prefix = f"PO-{today:%Y%m%d}-"
    _advisory_lock(f"number:{prefix}")
    last = (
        PurchaseOrder.objects.filter(number__startswith=prefix)
        .order_by(Length("number").desc(), "-number")
        .values_list("number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


# --- suppliers ---------------------------------------------------------------------------------


def _supplier_data(data: dict, *, partial: bool) -> dict:
    out = {}
    for key in SUPPLIER_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if key == "is_active":
            out[key] = bool(value)
            continue
        value = (value or "").strip()
        if len(value) > SUPPLIER_LIMITS[key]:
            raise ServiceError(
                f"{key}: at most {SUPPLIER_LIMITS[key]} characters.",
                fields={key: [f"At most {SUPPLIER_LIMITS[key]} characters."]},
            )
        out[key] = value
    for key in ("name", "code"):
        if (key in out or not partial) and not out.get(key):
            raise ServiceError(f"{key}: enter a {key}.", fields={key: [f"Enter a {key}."]})
    return out


def _duplicate_code() -> Conflict:
    return Conflict(
        "code: another supplier has this code.",
        code="duplicate",
        fields={"code": ["Another supplier has this code."]},
    )


@transaction.atomic
def supplier_create(*, data: dict) -> Supplier:
    """Add a supplier. Name and code are required; codes are unique in the shop (409)."""
    values = _supplier_data(data, partial=False)
    if Supplier.objects.filter(code=values["code"]).exists():
        raise _duplicate_code()
    try:
        with transaction.atomic():
            return Supplier.objects.create(**values)
    except IntegrityError as exc:  # a concurrent create took the code
        raise _duplicate_code() from exc


@transaction.atomic
def supplier_update(*, supplier_id: int, data: dict) -> Supplier:
    """Change a supplier's details (only the fields given). Deactivating one keeps its orders but
    refuses new ones."""
    supplier = Supplier.objects.select_for_update().filter(pk=supplier_id).first()
    if supplier is None:
        raise NotFound("Unknown supplier.")
    values = _supplier_data(data, partial=True)
    if (
        "code" in values
        and Supplier.objects.filter(code=values["code"]).exclude(pk=supplier.pk).exists()
    ):
        raise _duplicate_code()
    for key, value in values.items():
        setattr(supplier, key, value)
    if values:
        supplier.save(update_fields=list(values))
    return supplier


# --- settings ----------------------------------------------------------------------------------


@transaction.atomic
def settings_update(
    *, over_receipt_tolerance_percent, actor, shop_id: int, ip: str | None = None
) -> PurchasingSettings:
    """Set how far beyond the ordered quantity a line may be received, in percent (0 to 100, at
    most 2 decimals). Audited."""
    field = "over_receipt_tolerance_percent"
    try:
        value = Decimal(str(over_receipt_tolerance_percent).strip())
    except (InvalidOperation, ValueError):
        value = Decimal("NaN")
    if (
        not value.is_finite()
        or value < 0
        or value > 100
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ServiceError(
            f"{field}: enter a percentage from 0 to 100.",
            fields={field: ["Enter a percentage from 0 to 100."]},
        )
    row, _created = PurchasingSettings.objects.select_for_update().get_or_create(pk=1)
    before = row.over_receipt_tolerance_percent
    row.over_receipt_tolerance_percent = value
    row.save(update_fields=[field])
    audit_record(
        actor=actor,
        action="purchasing.settings_update",
        target_type="purchasing_settings",
        target_id=1,
        shop_id=shop_id,
        before={field: str(before)},
        after={field: str(value)},
        ip=ip,
    )
    return row


# --- purchase orders ---------------------------------------------------------------------------


@transaction.atomic
def order_create(
    *,
    supplier_id: int,
    location_id: int,
    lines: list[OrderLineInput],
    actor_user_id: int,
    expected_date: date | None = None,
    note: str = "",
) -> PurchaseOrder:
    """Open a draft purchase order numbered PO-YYYYMMDD-NNNN (per shop, per day) to an active
    supplier for an active location. Lines: one per SKU, whole units ≥ 1, unit cost ≥ 0 with at
    most 2 decimals. Records the creation in the status history."""
    supplier = _supplier(supplier_id)
    location = _location(location_id)
    checked = _checked_lines(lines)
    order = PurchaseOrder.objects.create(
        number=_next_number(timezone.localdate()),
        supplier=supplier,
        location=location,
        expected_date=expected_date,
        note=(note or "")[:500],
        created_by_user_id=actor_user_id,
    )
    PurchaseOrderLine.objects.bulk_create(
        [
            PurchaseOrderLine(order=order, sku_id=sku_id, quantity_ordered=q, unit_cost=cost)
            for sku_id, q, cost in checked
        ]
    )
    PurchaseOrderStatusChange.objects.create(
        order=order, from_status="", to_status=order.status, actor_user_id=actor_user_id
    )
    return order


@transaction.atomic
def order_update(
    *,
    order_id: int,
    data: dict,
    lines: list[OrderLineInput] | None = None,
) -> PurchaseOrder:
    """Change a draft order: supplier, location, expected date, note (the keys of `data`) and, when
    `lines` is given, replace its lines. Only a draft can change (409 otherwise)."""
    order = _locked_order(order_id)
    if not order.is_editable:
        raise Conflict(
            f"{order.number} is {order.get_status_display().lower()}; only a draft can be edited.",
            code="invalid_status",
        )
    fields = []
    if "supplier_id" in data:
        order.supplier = _supplier(data["supplier_id"])
        fields.append("supplier")
    if "location_id" in data:
        order.location = _location(data["location_id"])
        fields.append("location")
    if "expected_date" in data:
        order.expected_date = data["expected_date"]
        fields.append("expected_date")
    if "note" in data:
        order.note = (data["note"] or "")[:500]
        fields.append("note")
    if lines is not None:
        checked = _checked_lines(lines)
        order.lines.all().delete()  # a draft's lines have no receipts yet
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(order=order, sku_id=sku_id, quantity_ordered=q, unit_cost=cost)
                for sku_id, q, cost in checked
            ]
        )
    order.save(update_fields=[*fields, "updated_at"])
    return order


@transaction.atomic
def order_place(*, order_id: int, actor, shop_id: int, ip: str | None = None) -> PurchaseOrder:
    """Send a draft to the supplier: draft → ordered. It needs at least one line and a supplier
    that is still active. Audited."""
    order = _locked_order(order_id)
    if order.status == PurchaseOrderStatus.DRAFT:
        if not order.lines.exists():
            raise ServiceError(
                "lines: add at least one line before ordering.",
                fields={"lines": ["Add at least one line."]},
            )
        _supplier(order.supplier_id)
    _transition(order=order, to=PurchaseOrderStatus.ORDERED, actor_user_id=actor.pk)
    audit_record(
        actor=actor,
        action="purchasing.order_place",
        target_type="purchase_order",
        target_id=order.pk,
        shop_id=shop_id,
        before={"status": PurchaseOrderStatus.DRAFT},
        after={"status": order.status},
        ip=ip,
    )
    return order


@transaction.atomic
def order_cancel(
    *, order_id: int, reason: str = "", actor, shop_id: int, ip: str | None = None
) -> PurchaseOrder:
    """Cancel a draft, ordered or partially received order (the last closes it short: what
    arrived stays received and returnable). A received or cancelled order → 409. Audited."""
    order = _locked_order(order_id)
    before = order.status
    _transition(
        order=order, to=PurchaseOrderStatus.CANCELLED, actor_user_id=actor.pk, reason=reason
    )
    audit_record(
        actor=actor,
        action="purchasing.order_cancel",
        target_type="purchase_order",
        target_id=order.pk,
        shop_id=shop_id,
        before={"status": before},
        after={"status": order.status},
        reason=reason,
        ip=ip,
    )
    return order


# --- receipts ----------------------------------------------------------------------------------


def _replayed(model, key: str, order_id: int, what: str):
    """The earlier receipt/return posted with `key`, if any (same order), else None; a key
    used for another order → 409."""
    if not key:
        return None
    _advisory_lock(f"key:{key}")
    existing = model.objects.filter(idempotency_key=key).first()
    if existing is not None and existing.order_id != int(order_id):
        raise Conflict(
            f"idempotency_key: this key was used for another {what}.",
            code="idempotency_key_reused",
            fields={"idempotency_key": ["Used for another purchase order."]},
        )
    if existing is not None:
        existing.replayed = True
    return existing


@transaction.atomic
def receipt_post(
    *,
    order_id: int,
    lines: list[QuantityInput],
    actor,
    shop_id: int,
    idempotency_key: str = "",
    note: str = "",
    ip: str | None = None,
) -> Receipt:
    """Receive units of an ordered or partially received order into its location (收货).

    Each line may receive up to what was ordered plus the shop's tolerance percentage (rounded
    down to whole units) in total; beyond that → 409 over_receipt naming the line. A draft,
    cancelled or fully received order → 409. Posts `purchase_receipt` movements at the line's
    unit cost and sets each SKU's moving-average cost, (on-hand before over all locations × old
    cost + received × unit cost) / (on-hand before + received), rounded to the fen half-up; the
    order becomes partially received or received. A retry with the same `idempotency_key`
    returns the first receipt (marked `replayed`) and changes nothing. Audited."""
    key = _key(idempotency_key)
    wanted = _checked_quantities(lines)
    existing = _replayed(
        Receipt, key, _int_id(order_id, field="order_id", what="purchase order"), "receipt"
    )
    if existing is not None:
        return existing
    order = _locked_order(order_id)
    if not order.can_receive:
        raise Conflict(
            f"{order.number} is {order.get_status_display().lower()}; only an ordered or partially "
            "received purchase order can be received.",
            code="order_not_receivable",
        )
    rows = _locked_lines(order, wanted)
    tolerance = (
        PurchasingSettings.objects.filter(pk=1)
        .values_list("over_receipt_tolerance_percent", flat=True)
        .first()
        or 0
    )
    over = {}
    for index, (line_id, quantity) in enumerate(wanted):
        line = rows[line_id]
        limit = int(line.quantity_ordered * (100 + Decimal(tolerance)) // 100)
        if line.quantity_received + quantity > limit:
            more = max(limit - line.quantity_received, 0)
            message = (
                f"{line.sku.code}: ordered {line.quantity_ordered}, "
                f"received {line.quantity_received}, at most {more} more."
            )
            over[f"lines[{index}].quantity"] = [message]
    if over:
        raise Conflict(
            "Over-receipt: " + "; ".join(m[0] for m in over.values()),
            code="over_receipt",
            fields=over,
        )

    # Lock the SKUs, then every balance row of them (inventory's order), so the on-hand read here
    # is still the on-hand when the receipt's movements and the new costs commit.
    sku_ids = sorted({rows[line_id].sku_id for line_id, _q in wanted})
    skus = {
        sku.pk: sku for sku in SKU.objects.select_for_update().filter(pk__in=sku_ids).order_by("pk")
    }
    on_hand: dict[int, int] = dict.fromkeys(sku_ids, 0)
    for sku_id, quantity in (
        StockBalance.objects.select_for_update()
        .filter(sku_id__in=sku_ids)
        .order_by("location_id", "sku_id")
        .values_list("sku_id", "on_hand")
    ):
        on_hand[sku_id] += quantity

    receipt = Receipt.objects.create(
        order=order, idempotency_key=key, note=(note or "")[:200], received_by_user_id=actor.pk
    )
    movement_post(
        lines=[
            MovementLine(rows[line_id].sku_id, order.location_id, quantity, rows[line_id].unit_cost)
            for line_id, quantity in wanted
        ],
        kind=MovementKind.PURCHASE_RECEIPT,
        reference=receipt.reference,
        actor_user_id=actor.pk,
        reason=order.number,
    )
    receipt_lines, costs = [], {}
    for line_id, quantity in wanted:
        line = rows[line_id]
        sku = skus[line.sku_id]
        before = sku.cost_price
        after = moving_average(
            on_hand=on_hand[sku.pk], old_cost=before, quantity=quantity, unit_cost=line.unit_cost
        )
        sku.cost_price = after
        sku.save(update_fields=["cost_price"])
        line.quantity_received += quantity
        receipt_lines.append(
            ReceiptLine(
                receipt=receipt,
                order_line=line,
                quantity=quantity,
                unit_cost=line.unit_cost,
                cost_before=before,
                cost_after=after,
            )
        )
        costs[sku.code] = [None if before is None else str(before), str(after)]
    ReceiptLine.objects.bulk_create(receipt_lines)
    PurchaseOrderLine.objects.bulk_update(
        [rows[line_id] for line_id, _q in wanted], ["quantity_received"]
    )
    done = all(line.quantity_received >= line.quantity_ordered for line in rows.values())
    status = PurchaseOrderStatus.RECEIVED if done else PurchaseOrderStatus.PARTIALLY_RECEIVED
    if status != order.status:
        _transition(
            order=order, to=status, actor_user_id=actor.pk, reason=f"receipt {receipt.reference}"
        )
    audit_record(
        actor=actor,
        action="purchasing.receipt_post",
        target_type="purchase_order",
        target_id=order.pk,
        shop_id=shop_id,
        after={
            "receipt": receipt.reference,
            "quantities": {rows[i].sku.code: q for i, q in wanted},
            "cost_price": costs,
        },
        ip=ip,
    )
    return receipt


# --- returns -----------------------------------------------------------------------------------


@transaction.atomic
def return_post(
    *,
    order_id: int,
    lines: list[QuantityInput],
    actor,
    shop_id: int,
    reason: str = "",
    idempotency_key: str = "",
    ip: str | None = None,
) -> PurchaseReturn:
    """Send received units back to the supplier (采购退货) from the order's location, as
    `purchase_return` movements at the line's unit cost. A line may return at most what it
    received less what it already returned (409 naming the line), and the location must hold
    the units (409 insufficient_stock). The order's status and the SKUs' average cost stay as
    they are: the units that remain are worth what they were. Idempotent by key; audited."""
    key = _key(idempotency_key)
    wanted = _checked_quantities(lines)
    existing = _replayed(
        PurchaseReturn, key, _int_id(order_id, field="order_id", what="purchase order"), "return"
    )
    if existing is not None:
        return existing
    order = _locked_order(order_id)
    rows = _locked_lines(order, wanted)
    too_many = {}
    for index, (line_id, quantity) in enumerate(wanted):
        line = rows[line_id]
        if quantity > line.returnable:
            message = (
                f"{line.sku.code}: received {line.quantity_received}, "
                f"returned {line.quantity_returned}, at most {line.returnable} can go back."
            )
            too_many[f"lines[{index}].quantity"] = [message]
    if too_many:
        raise Conflict(
            "Return exceeds what was received: " + "; ".join(m[0] for m in too_many.values()),
            code="return_exceeds_received",
            fields=too_many,
        )
    ret = PurchaseReturn.objects.create(
        order=order, idempotency_key=key, reason=(reason or "")[:200], created_by_user_id=actor.pk
    )
    movement_post(
        lines=[
            MovementLine(
                rows[line_id].sku_id, order.location_id, -quantity, rows[line_id].unit_cost
            )
            for line_id, quantity in wanted
        ],
        kind=MovementKind.PURCHASE_RETURN,
        reference=ret.reference,
        actor_user_id=actor.pk,
        reason=(reason or order.number)[:200],
    )
    for line_id, quantity in wanted:
        rows[line_id].quantity_returned += quantity
    PurchaseOrderLine.objects.bulk_update(
        [rows[line_id] for line_id, _q in wanted], ["quantity_returned"]
    )
    PurchaseReturnLine.objects.bulk_create(
        [
            PurchaseReturnLine(purchase_return=ret, order_line=rows[line_id], quantity=quantity)
            for line_id, quantity in wanted
        ]
    )
    audit_record(
        actor=actor,
        action="purchasing.return_post",
        target_type="purchase_order",
        target_id=order.pk,
        shop_id=shop_id,
        after={"return": ret.reference, "quantities": {rows[i].sku.code: q for i, q in wanted}},
        reason=reason,
        ip=ip,
    )
    return ret


__all__ = [
    "OrderLineInput",
    "QuantityInput",
    "moving_average",
    "order_cancel",
    "order_create",
    "order_place",
    "order_update",
    "receipt_post",
    "return_post",
    "settings_update",
    "supplier_create",
    "supplier_update",
]
