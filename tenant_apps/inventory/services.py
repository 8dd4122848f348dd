"""Writes to a shop's stock. Every change of on-hand goes through `_post`, which appends ledger rows
and moves the balances in the same transaction; reservations move `reserved` the same way.

Locking rule (why there is no deadlock and no oversell): every transaction that touches balances
locks the rows it needs with one `SELECT … ORDER BY location_id, sku_id FOR UPDATE`, so two
transactions always queue on rows in the same order; the check that nothing goes negative happens
on the locked, current values, and the database's CHECK constraints are the backstop.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from backend.api.errors import Conflict, NotFound, ServiceError
from backend.lib.mail import send_after_commit
from backend.lib.money import parse_amount
from shared_apps.audit.services import audit_record
from tenant_apps.catalog.models import SKU

from . import transitions
from .models import (
    Location,
    LowStockThreshold,
    MovementKind,
    Reservation,
    ReservationStatus,
    StockBalance,
    StockMovement,
    StockTake,
    StockTakeLine,
    StockTakeStatus,
)

RESERVATION_TTL = timedelta(minutes=30)
MAX_QUANTITY = 1_000_000_000
# Kinds whose lines may carry a sale price (revenue in the reports).
PRICED_KINDS = frozenset({MovementKind.SALE, MovementKind.SALE_RETURN})
# The direction each kind may move stock: +1 in, -1 out, 0 either way.
DIRECTION: dict[str, int] = {
    MovementKind.PURCHASE_RECEIPT: 1,
    MovementKind.SALE: -1,
    MovementKind.SALE_RETURN: 1,
    MovementKind.PURCHASE_RETURN: -1,
    MovementKind.TRANSFER_OUT: -1,
    MovementKind.TRANSFER_IN: 1,
    MovementKind.ADJUSTMENT: 0,
    MovementKind.STOCKTAKE_VARIANCE: 0,
}
ALERT_ROLES = ("owner", "manager", "warehouse")


@dataclass(frozen=True)
class MovementLine:
    """One line of a batch: `quantity` is the signed change of on-hand (+ in, − out).
    `unit_price` is the sale price per unit, for sales and sale returns only."""

    sku_id: int
    location_id: int
    quantity: int
    unit_cost: Decimal | str | None = None
    unit_price: Decimal | str | None = None


@dataclass(frozen=True)
class BalanceChange:
    location_id: int
    sku_id: int
    on_hand_before: int
    on_hand_after: int
    reserved_after: int


# --- input checks ------------------------------------------------------------------------------


def whole_units(value, *, field: str, allow_negative: bool = False, allow_zero: bool = False) -> int:
    """A quantity in whole units: an int (or a string of digits), in range. Fractions are refused
    rather than rounded, since 1.5 phones is a typing error, not a quantity."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        value = int(value.strip())
    elif isinstance(value, (Decimal, float)) and value == int(value):
        value = int(value)
    if not isinstance(value, int):
        raise ServiceError(f"{field}: enter a whole number of units.", fields={field: ["Enter a whole number of units."]})
    if value < 0 and not allow_negative:
        raise ServiceError(f"{field}: the quantity must be positive.", fields={field: ["The quantity must be positive."]})
    if value == 0 and not allow_zero:
        raise ServiceError(f"{field}: the quantity must not be zero.", fields={field: ["The quantity must not be zero."]})
    if abs(value) > MAX_QUANTITY:
        raise ServiceError(f"{field}: the quantity is too large.", fields={field: ["The quantity is too large."]})
    return value


def _unit_cost(value, *, field: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return parse_amount(value, field=field)
    except ValidationError as exc:
        message = exc.message_dict[field][0]
        raise ServiceError(f"{field}: {message}", fields={field: [message]}) from exc


def _ids(ids, *, field: str, what: str) -> set[int]:
    try:
        return {int(i) for i in ids}
    except (TypeError, ValueError) as exc:
        raise ServiceError(f"{field}: choose a {what}.", fields={field: [f"Choose a {what}."]}) from exc


def _skus(ids, *, field: str = "sku_id") -> dict[int, SKU]:
    wanted = _ids(ids, field=field, what="SKU")
    found = {sku.pk: sku for sku in SKU.objects.filter(pk__in=wanted).only("id", "code")}
    missing = sorted(wanted - set(found))
    if missing:
        raise NotFound(f"Unknown SKU: {', '.join(map(str, missing))}.", fields={field: ["Unknown SKU."]})
    return found


def _locations(ids, *, field: str = "location_id") -> dict[int, Location]:
    wanted = _ids(ids, field=field, what="location")
    found = {loc.pk: loc for loc in Location.objects.filter(pk__in=wanted)}
    missing = sorted(wanted - set(found))
    if missing:
        raise NotFound(f"Unknown location: {', '.join(map(str, missing))}.", fields={field: ["Unknown location."]})
    return found


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# --- balances ----------------------------------------------------------------------------------


def _lock_balances(keys: list[tuple[int, int]], *, create: bool) -> dict[tuple[int, int], list[int]]:
    """Lock the balance rows of (location_id, sku_id) `keys` in that order; with `create`, make the
    missing ones (also in that order, so two inserts of the same new row queue, not cycle) and
    lock again. Returns {key: [id, on_hand, reserved]}."""
    keys = sorted(set(keys))
    if not keys:
        return {}
    locs = [k[0] for k in keys]
    skus = [k[1] for k in keys]
    table = _table(StockBalance)
    lock = (f"SELECT b.id, b.location_id, b.sku_id, b.on_hand, b.reserved FROM {table} b "
            "JOIN unnest(%s::bigint[], %s::bigint[]) AS k(l, s) ON b.location_id = k.l AND b.sku_id = k.s "
            "ORDER BY b.location_id, b.sku_id FOR UPDATE OF b")
    with connection.cursor() as cursor:
        cursor.execute(lock, [locs, skus])
        found = {(row[1], row[2]): [row[0], row[3], row[4]] for row in cursor.fetchall()}
        if not create or len(found) == len(keys):
            return found  # the usual case: every row exists, one round trip
        cursor.execute(
            f"INSERT INTO {table} (location_id, sku_id, on_hand, reserved) "
            "SELECT l, s, 0, 0 FROM unnest(%s::bigint[], %s::bigint[]) AS k(l, s) ORDER BY l, s "
            "ON CONFLICT (sku_id, location_id) DO NOTHING",
            [locs, skus],
        )
        cursor.execute(lock, [locs, skus])
        return {(row[1], row[2]): [row[0], row[3], row[4]] for row in cursor.fetchall()}


def _apply(deltas: dict[tuple[int, int], tuple[int, int]]) -> list[BalanceChange]:
    """Move balances by {(location_id, sku_id): (Δon_hand, Δreserved)} after locking them; refuse
    (409 insufficient_stock, nothing written) when on-hand would go negative or below what is
    reserved."""
    rows = _lock_balances(list(deltas), create=True)
    short = []
    changes = []
    for key in sorted(deltas):
        d_on_hand, d_reserved = deltas[key]
        _balance_id, on_hand, reserved = rows[key]
        new_on_hand, new_reserved = on_hand + d_on_hand, reserved + d_reserved
        if new_on_hand < 0 or new_reserved < 0 or new_reserved > new_on_hand:
            short.append((key, on_hand, reserved, d_on_hand))
        changes.append(BalanceChange(key[0], key[1], on_hand, new_on_hand, new_reserved))
    if short:
        codes = dict(SKU.objects.filter(pk__in=[k[1] for k, *_ in short]).values_list("id", "code"))
        listed = [f"{codes.get(k[1], k[1])} at location {k[0]} (available {on - res}, change {d:+d})" for k, on, res, d in short]
        raise Conflict(
            "Insufficient stock: " + "; ".join(listed) + ".",
            code="insufficient_stock",
            fields={"lines": listed},
        )
    ids, d_on, d_res = [], [], []
    for key, (d_on_hand, d_reserved) in deltas.items():
        if d_on_hand or d_reserved:
            ids.append(rows[key][0])
            d_on.append(d_on_hand)
            d_res.append(d_reserved)
    if ids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_table(StockBalance)} b SET on_hand = b.on_hand + d.o, reserved = b.reserved + d.r "
                "FROM unnest(%s::bigint[], %s::int[], %s::int[]) AS d(id, o, r) WHERE b.id = d.id",
                [ids, d_on, d_res],
            )
    _tell_offer_index(rows, deltas)
    return changes


def _tell_offer_index(rows, deltas) -> None:
    """When a SKU's availability somewhere crosses zero, the mall's stock state may change:
    queue a price/stock refresh of its offer (the drain recomputes the total)."""
    crossed = set()
    for key, (d_on_hand, d_reserved) in deltas.items():
        _balance_id, on_hand, reserved = rows[key]
        before, after = on_hand - reserved, on_hand + d_on_hand - reserved - d_reserved
        if (before > 0) != (after > 0):
            crossed.add(key[1])
    if crossed:
        from tenant_apps.catalog.models import ProductStatus
        from tenant_apps.catalog.outbox import PRICE, outbox_record_many

        # Only listed products have offers; listing one later projects its stock as it is then.
        items = list(SKU.objects.filter(pk__in=crossed, product__status=ProductStatus.LISTED)
                     .values_list("product_id", "pk"))
        if items:
            outbox_record_many(kind=PRICE, items=items)


def _post(
    rows: list[tuple[str, MovementLine]], *, reference: str, actor_user_id: int | None, reason: str = "",
    reserved_too: bool = False,
) -> tuple[list[StockMovement], list[BalanceChange]]:
    """Append movements and move balances. Lines must already be checked. `reserved_too` also
    takes the units out of `reserved` (a sale that consumes a reservation)."""
    deltas: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for _kind, line in rows:
        o, r = deltas[(line.location_id, line.sku_id)]
        deltas[(line.location_id, line.sku_id)] = (o + line.quantity, r + (line.quantity if reserved_too else 0))
    changes = _apply(dict(deltas))
    costs = _sale_costs(rows)
    movements = StockMovement.objects.bulk_create(
        [
            StockMovement(
                kind=kind, sku_id=line.sku_id, location_id=line.location_id, quantity=line.quantity,
                unit_cost=costs.get(line.sku_id) if kind == MovementKind.SALE and line.unit_cost is None else line.unit_cost,
                unit_price=line.unit_price, reference=reference, reason=reason, actor_user_id=actor_user_id,
            )
            for kind, line in rows
        ]
    )
    _alert_low_stock(changes)
    return movements, changes


def _sale_costs(rows: list[tuple[str, MovementLine]]) -> dict[int, Decimal | None]:
    """The SKUs' moving-average cost now, for sale lines that bring no cost of their own: a sale
    records the cost of the goods it took out, so the margin of a past period does not move when
    later receipts change the average."""
    wanted = {line.sku_id for kind, line in rows if kind == MovementKind.SALE and line.unit_cost is None}
    if not wanted:
        return {}
    return dict(SKU.objects.filter(pk__in=wanted).values_list("id", "cost_price"))


def _checked_lines(lines: list[MovementLine], *, kind: str) -> list[MovementLine]:
    if not lines:
        raise ServiceError("lines: add at least one line.", fields={"lines": ["Add at least one line."]})
    direction = DIRECTION[kind]
    checked = []
    for index, line in enumerate(lines):
        field = f"lines[{index}]"
        quantity = whole_units(line.quantity, field=f"{field}.quantity", allow_negative=True)
        if direction and (quantity > 0) != (direction > 0):
            sign = "positive" if direction > 0 else "negative"
            raise ServiceError(
                f"{field}.quantity: a {kind} moves stock {'in' if direction > 0 else 'out'}, so the quantity must be {sign}.",
                fields={f"{field}.quantity": [f"The quantity must be {sign} for {kind}."]},
            )
        cost = _unit_cost(line.unit_cost, field=f"{field}.unit_cost")
        price = _unit_cost(line.unit_price, field=f"{field}.unit_price")
        if price is not None and kind not in PRICED_KINDS:
            raise ServiceError(f"{field}.unit_price: only sales and sale returns carry a sale price.",
                               fields={f"{field}.unit_price": ["Only sales and sale returns carry a sale price."]})
        checked.append(MovementLine(int(line.sku_id), int(line.location_id), quantity, cost, price))
    _skus([line.sku_id for line in checked])
    _locations([line.location_id for line in checked])
    return checked


@transaction.atomic
def movement_post(
    *, lines: list[MovementLine], kind: str, reference: str = "", actor_user_id: int | None, reason: str = ""
) -> list[StockMovement]:
    """Post a batch of movements of one kind, all or nothing. Quantities are signed and must
    match the kind's direction (a receipt adds, a sale removes); on-hand may never go negative nor
    below what is reserved (409 insufficient_stock). A sale or sale return line may carry its
    sale price (`unit_price`); a sale line without a cost records the SKU's moving-average cost.
    Low-stock alerts go out after commit."""
    if kind not in DIRECTION:
        raise ServiceError("kind: unknown movement kind.", fields={"kind": ["Unknown movement kind."]})
    checked = _checked_lines(lines, kind=kind)
    movements, _changes = _post([(kind, line) for line in checked], reference=reference[:64],
                                actor_user_id=actor_user_id, reason=reason[:200])
    return movements


@transaction.atomic
def transfer(
    *, from_location_id: int, to_location_id: int, items: list[tuple[int, int]], reference: str = "",
    actor_user_id: int | None, reason: str = "",
) -> list[StockMovement]:
    """Move units between two locations: a transfer_out and a transfer_in per SKU, in one
    transaction. Quantities are positive; the source must have them available."""
    if str(from_location_id) == str(to_location_id):
        raise ServiceError("to_location_id: choose a different location.", fields={"to_location_id": ["Choose a different location."]})
    _locations([from_location_id], field="from_location_id")
    _locations([to_location_id], field="to_location_id")
    if not items:
        raise ServiceError("items: add at least one item.", fields={"items": ["Add at least one item."]})
    rows = []
    for index, (sku_id, quantity) in enumerate(items):
        quantity = whole_units(quantity, field=f"items[{index}].quantity")
        rows.append((MovementKind.TRANSFER_OUT, MovementLine(int(sku_id), int(from_location_id), -quantity)))
        rows.append((MovementKind.TRANSFER_IN, MovementLine(int(sku_id), int(to_location_id), quantity)))
    _skus([line.sku_id for _k, line in rows])
    movements, _ = _post(rows, reference=reference[:64] or f"TR{timezone.now():%Y%m%d%H%M%S}",
                         actor_user_id=actor_user_id, reason=reason[:200])
    return movements


@transaction.atomic
def adjust(
    *, sku_id: int, location_id: int, quantity, reason: str, actor, shop_id: int, ip: str | None = None,
    unit_cost=None,
) -> StockMovement:
    """Correct on-hand by a signed whole `quantity` (damage, found stock …) with a reason. Audited
    with the on-hand before and after."""
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError("reason: say why stock is adjusted.", fields={"reason": ["Say why stock is adjusted."]})
    quantity = whole_units(quantity, field="quantity", allow_negative=True)
    cost = _unit_cost(unit_cost, field="unit_cost")
    _skus([sku_id])
    _locations([location_id])
    (movement,), (change,) = _post(
        [(MovementKind.ADJUSTMENT, MovementLine(int(sku_id), int(location_id), quantity, cost))],
        reference="", actor_user_id=actor.pk, reason=reason[:200],
    )
    audit_record(
        actor=actor, action="inventory.adjust", target_type="stock_balance", target_id=f"{location_id}:{sku_id}",
        shop_id=shop_id, before={"on_hand": change.on_hand_before}, after={"on_hand": change.on_hand_after},
        reason=reason, ip=ip,
    )
    return movement


# --- low-stock alerts --------------------------------------------------------------------------


def _alert_low_stock(changes: list[BalanceChange]) -> None:
    """Mail the stock staff when a SKU's on-hand crosses below its threshold (per location or in
    total). Only a crossing alerts, so a SKU that stays low does not mail on every sale."""
    falling = [c for c in changes if c.on_hand_after < c.on_hand_before]
    if not falling:
        return
    sku_ids = {c.sku_id for c in falling}
    thresholds = list(LowStockThreshold.objects.filter(sku_id__in=sku_ids))
    if not thresholds:
        return
    by_key = {(c.location_id, c.sku_id): c for c in falling}
    drop = defaultdict(int)
    for c in changes:
        drop[c.sku_id] += c.on_hand_before - c.on_hand_after
    totals = None
    crossed = []
    for t in thresholds:
        if t.location_id is not None:
            c = by_key.get((t.location_id, t.sku_id))
            if c and c.on_hand_before >= t.threshold > c.on_hand_after:
                crossed.append((t, c.on_hand_after))
        elif drop[t.sku_id] > 0:
            if totals is None:
                totals = dict(
                    StockBalance.objects.filter(sku_id__in=sku_ids).values("sku_id").annotate(n=Sum("on_hand")).values_list("sku_id", "n")
                )
            after = totals.get(t.sku_id, 0)
            if after + drop[t.sku_id] >= t.threshold > after:
                crossed.append((t, after))
    if not crossed:
        return
    from tenant_apps.shop.models import StaffMember

    recipients = list(StaffMember.objects.filter(role__in=ALERT_ROLES).exclude(email="").values_list("email", flat=True))
    codes = dict(SKU.objects.filter(pk__in=[t.sku_id for t, _ in crossed]).values_list("id", "code"))
    names = dict(Location.objects.filter(pk__in=[t.location_id for t, _ in crossed if t.location_id]).values_list("id", "name"))
    send_after_commit(
        to=recipients,
        template="inventory/mail/low_stock.txt",
        context={
            "rows": [
                {"sku": codes.get(t.sku_id), "location": names.get(t.location_id), "threshold": t.threshold, "on_hand": n}
                for t, n in crossed
            ]
        },
    )


@transaction.atomic
def threshold_set(*, sku_id: int, location_id: int | None = None, threshold) -> LowStockThreshold | None:
    """Set the low-stock threshold of a SKU at a location (or in total); 0 removes it."""
    threshold = whole_units(threshold, field="threshold", allow_zero=True)
    _skus([sku_id])
    if location_id is not None:
        _locations([location_id])
    existing = LowStockThreshold.objects.select_for_update().filter(sku_id=sku_id, location_id=location_id).first()
    if threshold == 0:
        if existing:
            existing.delete()
        return None
    if existing:
        existing.threshold = threshold
        existing.save(update_fields=["threshold"])
        return existing
    return LowStockThreshold.objects.create(sku_id=sku_id, location_id=location_id, threshold=threshold)


# --- reservations ------------------------------------------------------------------------------


def _reference_lock(reference: str) -> None:
    """Serialise calls for one reference (idempotency under retries): a transaction-scoped
    advisory lock keyed by schema and reference, always taken before any row lock."""
    key = zlib.crc32(f"{connection.schema_name}:inventory:{reference}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x1A7, key - 2**31])


def _reference(reference: str) -> str:
    reference = (reference or "").strip()
    if not reference or len(reference) > 64:
        raise ServiceError("reference: give a reference of 1 to 64 characters.", fields={"reference": ["1 to 64 characters."]})
    return reference


def _reserve_items(items) -> tuple[dict[int, int], dict[int, Decimal]]:
    """Units wanted and the sale price per SKU from `(sku_id, quantity)` or
    `(sku_id, quantity, unit_price)` items. One price per SKU: two lines of one SKU at different
    prices are refused (checkout sends the price after discounts, per unit)."""
    wanted: dict[int, int] = defaultdict(int)
    prices: dict[int, Decimal] = {}
    for index, item in enumerate(items):
        sku_id, quantity, *rest = item
        sku_id = _ids([sku_id], field=f"items[{index}].sku_id", what="SKU").pop()
        wanted[sku_id] += whole_units(quantity, field=f"items[{index}].quantity")
        price = _unit_cost(rest[0] if rest else None, field=f"items[{index}].unit_price")
        if price is None:
            continue
        if prices.setdefault(sku_id, price) != price:
            raise ServiceError(f"items[{index}].unit_price: one SKU has one price in a reservation.",
                               fields={f"items[{index}].unit_price": ["One SKU has one price in a reservation."]})
    return wanted, prices


@transaction.atomic
def reserve(
    *, reference: str, items: list[tuple], pickup_location_id: int | None = None,
    ttl: timedelta = RESERVATION_TTL, location_id: int | None = None,
) -> list[Reservation]:
    """Hold units for `reference` (a sub-order number), taking from locations in the shop's
    allocation order (active locations that sell online), or only from `pickup_location_id` for
    a pickup order. One SKU may be split over locations. Short → 409 insufficient_stock naming the
    SKUs, nothing held. Calling again with the same reference returns the first result.

    Items are `(sku_id, quantity)` or `(sku_id, quantity, unit_price)`: the sale price per unit
    (≤ 2 decimals) is kept on the reservation and carried to the sale movement at commit, where
    the reports read revenue and margin from it."""
    reference = _reference(reference)
    wanted, prices = _reserve_items(items)
    if not wanted:
        raise ServiceError("items: add at least one item.", fields={"items": ["Add at least one item."]})
    _reference_lock(reference)
    existing = list(Reservation.objects.filter(reference=reference))
    if existing:
        return existing
    skus = _skus(wanted)
    if location_id is not None:  # one named location (a flash sale's carved-out stock)
        order = [_locations([location_id], field="location_id")[int(location_id)].pk]
    elif pickup_location_id is not None:
        location = _locations([pickup_location_id], field="pickup_location_id")[int(pickup_location_id)]
        if not (location.is_active and location.does_pickup):
            raise ServiceError("pickup_location_id: this location does not do pickup.",
                               fields={"pickup_location_id": ["This location does not do pickup."]})
        order = [location.pk]
    else:
        order = list(Location.objects.filter(is_active=True, sells_online=True).values_list("id", flat=True))
    rows = _lock_balances([(loc, sku) for loc in order for sku in wanted], create=False)
    taken: list[tuple[int, int, int]] = []
    short = []
    for sku_id, quantity in sorted(wanted.items()):
        need = quantity
        for loc in order:
            row = rows.get((loc, sku_id))
            if row is None or need == 0:
                continue
            take = min(need, row[1] - row[2])
            if take > 0:
                taken.append((loc, sku_id, take))
                need -= take
        if need:
            short.append(f"{skus[sku_id].code} (wanted {quantity}, available {quantity - need})")
    if short:
        raise Conflict("Insufficient stock: " + "; ".join(short) + ".", code="insufficient_stock", fields={"items": short})
    _apply({(loc, sku): (0, qty) for loc, sku, qty in taken})
    expires_at = timezone.now() + ttl
    return Reservation.objects.bulk_create(
        [Reservation(sku_id=sku, location_id=loc, quantity=qty, unit_price=prices.get(sku), reference=reference,
                     expires_at=expires_at)
         for loc, sku, qty in taken]
    )


def _close(reference: str, *, to: str) -> list[Reservation]:
    reference = _reference(reference)
    _reference_lock(reference)
    rows = list(Reservation.objects.select_for_update().filter(reference=reference).order_by("id"))
    if not rows:
        raise NotFound(f"No reservation for {reference}.", fields={"reference": ["No reservation."]})
    held = [r for r in rows if r.status == ReservationStatus.HELD]
    if not held:
        if all(r.status == to for r in rows):
            return rows  # already done: idempotent
        raise Conflict(f"The reservation for {reference} is already {rows[0].status}.", code="reservation_closed")
    for r in held:
        assert to in transitions.RESERVATION[r.status]
    deltas: dict[tuple[int, int], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for r in held:
        o, q = deltas[(r.location_id, r.sku_id)]
        deltas[(r.location_id, r.sku_id)] = (o - r.quantity if to == ReservationStatus.COMMITTED else o, q - r.quantity)
    if to == ReservationStatus.COMMITTED:
        _post([(MovementKind.SALE, MovementLine(r.sku_id, r.location_id, -r.quantity, None, r.unit_price)) for r in held],
              reference=reference, actor_user_id=None, reserved_too=True)
    else:
        _apply(dict(deltas))
    now = timezone.now()
    Reservation.objects.filter(pk__in=[r.pk for r in held]).update(status=to, closed_at=now)
    for r in held:
        r.status, r.closed_at = to, now
    return rows


@transaction.atomic
def commit(*, reference: str) -> list[Reservation]:
    """The order is paid: held units become `sale` movements (on-hand and reserved both drop),
    each with the reservation's sale price and the SKU's moving-average cost at this moment.
    Idempotent; 409 if the reservation was released."""
    return _close(reference, to=ReservationStatus.COMMITTED)


@transaction.atomic
def release(*, reference: str) -> list[Reservation]:
    """The order is cancelled or expired: held units become available again. Idempotent; 409 if
    already committed."""
    return _close(reference, to=ReservationStatus.RELEASED)


@transaction.atomic
def sale_return(*, reference: str, items: list[tuple[int, int]], actor_user_id: int | None,
                reason: str = "") -> list[StockMovement]:
    """Units of a paid sub-order (`reference`) came back and go on sale again: `sale_return`
    movements into the locations they were sold from, in the order they were taken, at the sale's
    price and cost. 409 when more units come back than were sold and not yet returned."""
    reference = _reference(reference)
    _reference_lock(reference)
    wanted: dict[int, int] = defaultdict(int)
    for sku_id, quantity in items:
        wanted[int(sku_id)] += whole_units(quantity, field="quantity")
    sold = (StockMovement.objects.filter(reference=reference, kind=MovementKind.SALE, sku_id__in=wanted)
            .order_by("id").values_list("sku_id", "location_id", "quantity", "unit_cost", "unit_price"))
    returned = defaultdict(int)
    for sku_id, location_id, quantity in StockMovement.objects.filter(
            reference=reference, kind=MovementKind.SALE_RETURN, sku_id__in=wanted).values_list(
            "sku_id", "location_id", "quantity"):
        returned[(sku_id, location_id)] += quantity
    lines = []
    for sku_id, location_id, quantity, cost, price in sold:
        key = (sku_id, location_id)
        back = min(wanted[sku_id], -quantity - returned[key])
        if back > 0:
            lines.append(MovementLine(sku_id, location_id, back, cost, price))
            wanted[sku_id] -= back
            returned[key] += back
    short = {sku: n for sku, n in wanted.items() if n > 0}
    if short:
        raise Conflict(f"More units come back than {reference} sold and has not returned yet: SKU "
                       + ", ".join(f"{sku} ({n} too many)" for sku, n in sorted(short.items())) + ".",
                       code="return_exceeds_sale")
    if not lines:
        return []
    movements, _changes = _post([(MovementKind.SALE_RETURN, line) for line in lines], reference=reference,
                                actor_user_id=actor_user_id, reason=reason[:200])
    return movements


def reservations_expire(*, now=None) -> int:
    """Release every held reservation past its expiry, one reference per transaction."""
    now = now or timezone.now()
    references = set(
        Reservation.objects.filter(status=ReservationStatus.HELD, expires_at__lt=now).values_list("reference", flat=True)
    )
    for reference in references:
        release(reference=reference)
    return len(references)


# --- locations ---------------------------------------------------------------------------------

LOCATION_FIELDS = (
    "kind", "name", "code", "province_code", "city_code", "district_code", "address_detail", "phone",
    "opening_hours", "sells_online", "does_pickup", "is_active",
)


def _location_check(data: dict) -> None:
    for field in ("province_code", "city_code", "district_code"):
        value = data.get(field) or ""
        if value and not (len(value) == 6 and value.isdigit()):
            raise ServiceError(f"{field}: a region code has 6 digits.", fields={field: ["A region code has 6 digits."]})
    if "name" in data and not (data["name"] or "").strip():
        raise ServiceError("name: enter a name.", fields={"name": ["Enter a name."]})
    if "code" in data and not (data["code"] or "").strip():
        raise ServiceError("code: enter a code.", fields={"code": ["Enter a code."]})


@transaction.atomic
def location_create(*, data: dict) -> Location:
    """Add a warehouse or store at the end of the allocation order. Codes are unique (409)."""
    data = {k: v for k, v in data.items() if k in LOCATION_FIELDS}
    _location_check(data)
    if Location.objects.filter(code=data["code"]).exists():
        raise Conflict("code: another location has this code.", code="duplicate", fields={"code": ["Another location has this code."]})
    last = Location.objects.order_by("-priority").values_list("priority", flat=True).first()
    try:
        with transaction.atomic():
            location = Location.objects.create(**data, priority=(last or 0) + 1)
    except IntegrityError as exc:  # a concurrent create took the code
        raise Conflict("code: another location has this code.", code="duplicate", fields={"code": ["Another location has this code."]}) from exc
    _pickup_cities_publish()
    return location


@transaction.atomic
def location_update(*, location_id: int, data: dict) -> Location:
    location = Location.objects.select_for_update().filter(pk=location_id).first()
    if location is None:
        raise NotFound("Unknown location.")
    data = {k: v for k, v in data.items() if k in LOCATION_FIELDS}
    _location_check(data)
    if "code" in data and Location.objects.filter(code=data["code"]).exclude(pk=location.pk).exists():
        raise Conflict("code: another location has this code.", code="duplicate", fields={"code": ["Another location has this code."]})
    for key, value in data.items():
        setattr(location, key, value)
    location.save(update_fields=list(data) or None)
    _pickup_cities_publish()
    return location


def _pickup_cities_publish() -> None:
    """Tell mall search in which cities this shop hands goods over (its pickup-city filter)."""
    from shared_apps.search.index import shop_pickup_refresh
    from tenant_apps.catalog.outbox import current_shop_id

    cities = (Location.objects.filter(is_active=True, does_pickup=True).exclude(city_code="")
              .values_list("city_code", flat=True))
    shop_pickup_refresh(shop_id=current_shop_id(), city_codes=cities)


@transaction.atomic
def location_reorder(*, ordered_ids: list[int]) -> list[Location]:
    """Set the allocation order: `ordered_ids` must name every location once."""
    locations = {loc.pk: loc for loc in Location.objects.select_for_update().order_by("id")}
    ids = [int(i) for i in ordered_ids]
    if sorted(ids) != sorted(locations):
        raise ServiceError("ordered_ids: list every location exactly once.", fields={"ordered_ids": ["List every location exactly once."]})
    for index, pk in enumerate(ids, start=1):
        locations[pk].priority = index
    Location.objects.bulk_update(locations.values(), ["priority"])
    return [locations[pk] for pk in ids]


@transaction.atomic
def location_move(*, location_id: int, up: bool) -> None:
    """Move one location a step up or down the allocation order (the console's arrows)."""
    ids = list(Location.objects.values_list("id", flat=True))
    if int(location_id) not in ids:
        raise NotFound("Unknown location.")
    i = ids.index(int(location_id))
    j = i - 1 if up else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    location_reorder(ordered_ids=ids)


# --- stocktake (盘点) --------------------------------------------------------------------------


@transaction.atomic
def stocktake_open(*, location_id: int, actor_user_id: int, note: str = "") -> StockTake:
    """Open a count of a location, snapshotting each SKU's on-hand there as the expected
    quantity. One open count per location (409)."""
    location = _locations([location_id])[int(location_id)]
    if StockTake.objects.filter(location=location, status=StockTakeStatus.OPEN).exists():
        raise Conflict("A stocktake of this location is already open.", code="stocktake_open",
                       fields={"location_id": ["A stocktake of this location is already open."]})
    try:
        with transaction.atomic():
            take = StockTake.objects.create(location=location, opened_by_user_id=actor_user_id, note=note[:200])
    except IntegrityError as exc:
        raise Conflict("A stocktake of this location is already open.", code="stocktake_open") from exc
    StockTakeLine.objects.bulk_create(
        [StockTakeLine(stocktake=take, sku_id=sku_id, expected=on_hand)
         for sku_id, on_hand in StockBalance.objects.filter(location=location).values_list("sku_id", "on_hand")]
    )
    return take


def _open_take(stocktake_id: int) -> StockTake:
    take = StockTake.objects.select_for_update().filter(pk=stocktake_id).first()
    if take is None:
        raise NotFound("Unknown stocktake.")
    if take.status != StockTakeStatus.OPEN:
        raise Conflict(f"This stocktake is already {take.status}.", code="stocktake_closed")
    return take


def sku_by_scan(code: str) -> SKU:
    """The SKU a scanned or typed code names: the shop's SKU code first, else the GTIN."""
    code = (code or "").strip()
    sku = SKU.objects.filter(code=code).first() if code else None
    if sku is None and code.isdigit():
        sku = SKU.objects.filter(gtin=code).order_by("id").first()
    if sku is None:
        raise NotFound(f"No SKU with code or barcode {code!r}.", fields={"code": ["No SKU with this code or barcode."]})
    return sku


@transaction.atomic
def stocktake_count(*, stocktake_id: int, code: str, quantity=None, mode: str = "add") -> StockTakeLine:
    """Record a count by SKU code or barcode: mode "add" adds `quantity` (default 1, one scan),
    "set" sets the counted quantity. A SKU not in the snapshot gets a line expecting what the
    location holds now."""
    if mode not in ("add", "set"):
        raise ServiceError("mode: add or set.", fields={"mode": ["Choose add or set."]})
    if quantity in (None, ""):
        if mode == "set":
            raise ServiceError("quantity: enter the counted quantity.", fields={"quantity": ["Enter the counted quantity."]})
        quantity = 1
    quantity = whole_units(quantity, field="quantity", allow_zero=(mode == "set"))
    take = _open_take(stocktake_id)
    sku = sku_by_scan(code)
    line = StockTakeLine.objects.select_for_update().filter(stocktake=take, sku=sku).first()
    if line is None:
        on_hand = StockBalance.objects.filter(location_id=take.location_id, sku=sku).values_list("on_hand", flat=True).first()
        line = StockTakeLine.objects.create(stocktake=take, sku=sku, expected=on_hand or 0)
    line.counted = quantity if mode == "set" else (line.counted or 0) + quantity
    line.counted_at = timezone.now()
    line.save(update_fields=["counted", "counted_at"])
    return line


@transaction.atomic
def stocktake_post(*, stocktake_id: int, actor, shop_id: int, ip: str | None = None) -> list[StockMovement]:
    """Post the differences between counted and expected as `stocktake_variance` movements, once
    (a second post → 409). Lines not counted are left as they are. Audited."""
    take = _open_take(stocktake_id)
    lines = [line for line in take.lines.all() if line.variance]
    movements: list[StockMovement] = []
    if lines:
        movements, _ = _post(
            [(MovementKind.STOCKTAKE_VARIANCE, MovementLine(line.sku_id, take.location_id, line.variance)) for line in lines],
            reference=take.reference, actor_user_id=actor.pk, reason="stocktake",
        )
    assert StockTakeStatus.POSTED in transitions.STOCKTAKE[take.status]
    take.status, take.posted_at, take.posted_by_user_id = StockTakeStatus.POSTED, timezone.now(), actor.pk
    take.save(update_fields=["status", "posted_at", "posted_by_user_id"])
    audit_record(actor=actor, action="inventory.stocktake_post", target_type="stocktake", target_id=take.pk,
                 shop_id=shop_id, after={"variances": {str(line.sku_id): line.variance for line in lines}}, ip=ip)
    return movements


@transaction.atomic
def stocktake_cancel(*, stocktake_id: int) -> StockTake:
    take = _open_take(stocktake_id)
    take.status = StockTakeStatus.CANCELLED
    take.save(update_fields=["status"])
    return take


__all__ = [
    "MovementLine", "adjust", "commit", "location_create", "location_move", "location_reorder", "location_update",
    "movement_post", "release", "reservations_expire", "reserve", "stocktake_cancel", "stocktake_count",
    "stocktake_open", "stocktake_post", "threshold_set", "transfer", "whole_units",
]
