"""What a shop does to fulfil its sub-orders: confirm, ship in one or more parcels, record the
carrier's tracking events, and hand pickup orders over at the counter.

Sub-order states are the platform's (public schema) and move only through the orders interface
(`confirm`, `mark_shipped`, `mark_delivered`, `mark_picked_up`), which checks the transition
table and writes the history; this module keeps the parcels in the shop's schema and calls the
interface in the same transaction, so a refused move leaves no parcel behind.

Concurrency: everything that writes a sub-order's parcels or events first takes a transaction
-scoped advisory lock on the sub-order number (`_lock_sub_order`). Two staff shipping the same
lines at once are serialised there: the second sees the first's parcel and is refused for
over-shipping. Lock order is always advisory lock, then the public sub-order row (taken by the
orders interface), so the two never deadlock.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, Forbidden, NotFound, RateLimited, ServiceError
from backend.lib import hosts
from shared_apps.audit.services import audit_record
from shared_apps.orders import interface as orders

from . import pickup_limits, selectors
from .carriers import registry
from .carriers.base import TRACKING_NUMBER, Carrier, CarrierEvent, WaybillRequest
from .models import (
    EventSource,
    PickupAttempt,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    TrackingCode,
    TrackingEvent,
)

logger = logging.getLogger(__name__)
S = orders.SubOrderStatus
CALLBACK_PATH = "/api/v1/shop/fulfilment/carrier/{carrier}/events/"
MAX_BULK_ROWS = 100
# A verified pickup code opens the order's counter actions for this long, for that staff member.
PICKUP_GRANT_SECONDS = 15 * 60


def _printable(text: str) -> bool:
    return bool(text) and str(text).isprintable()


def _printable_part(text) -> str:
    """`text` without control characters (PostgreSQL text cannot hold NUL)."""
    return "".join(ch for ch in str(text or "") if ch.isprintable())


def _lock_sub_order(number: str) -> None:
    """Serialise fulfilment writes of one sub-order until the transaction ends. Advisory locks
    are database-wide, so the key carries the schema; the orders interface offers no way to lock
    the public row from here, and its own row lock comes only in `mark_shipped`, after the
    quantities were checked."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"fulfilment.sub_order:{connection.schema_name}:{number}"],
        )


def _sub_order(*, shop_id: int, number: str):
    sub = selectors.sub_order(shop_id=shop_id, number=number)
    if sub is None:
        raise NotFound(_("No such order in this shop."))
    return sub


# --- confirm -----------------------------------------------------------------------------------


def sub_order_confirm(*, shop_id: int, number: str, actor_user_id: int):
    """The shop accepts a paid order before shipping it (shops that turned confirmation on).
    409 from the transition table when the order is not paid or already confirmed."""
    _sub_order(shop_id=shop_id, number=number)
    return orders.confirm(shop_id=shop_id, number=number, actor_user_id=actor_user_id)


# --- shipping ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipLine:
    order_line_id: int
    quantity: int


def _carrier(code: str) -> Carrier:
    adapter = registry.get(code)
    if adapter is None:
        raise ServiceError(
            _("Choose a carrier from the list."),
            code="unknown_carrier",
            fields={"carrier": [_("Unknown carrier.")]},
        )
    return adapter


def _tracking_number(adapter: Carrier, value: str) -> str:
    number = adapter.normalise_tracking_number(value)
    if not number:
        if adapter.issues_waybills:
            return ""
        raise ServiceError(
            _("Enter the parcel's tracking number."),
            code="tracking_number_required",
            fields={"tracking_number": [_("This carrier needs a tracking number.")]},
        )
    if not adapter.valid_tracking_number(number):
        raise ServiceError(
            _("A tracking number is 4 to 40 letters, digits or dashes."),
            fields={"tracking_number": [_("4 to 40 letters, digits or dashes.")]},
        )
    return number


def _shippable(sub) -> None:
    if sub.is_pickup:
        raise Conflict(
            _("A pickup order is not shipped; verify the pickup code instead."), code="pickup_order"
        )
    if sub.status == S.PENDING_PAYMENT:
        raise Conflict(
            _("Order %(number)s is not paid yet; it cannot be shipped.") % {"number": sub.number},
            code="unpaid",
        )
    if sub.requires_confirmation and sub.status == S.PAID:
        raise Conflict(_("Confirm the order before shipping it."), code="not_confirmed")
    if sub.status not in selectors.SHIPPABLE:
        raise Conflict(
            _("Order %(number)s is %(status)s; it cannot be shipped.")
            % {"number": sub.number, "status": S(sub.status).label},
            code="not_shippable",
        )


def _parcel_lines(sub, lines: list[ShipLine] | None) -> list[tuple[object, int]]:
    """(order line, units) of the new parcel; everything not yet shipped when `lines` is None.
    Units beyond what was ordered less what already left are refused (409)."""
    shipped = selectors.shipped_quantities([sub.number]).get(sub.number, {})
    order_lines = {line.pk: line for line in sub.lines.all()}
    left = {pk: line.quantity - shipped.get(pk, 0) for pk, line in order_lines.items()}
    if lines is None:
        chosen = [(order_lines[pk], units) for pk, units in left.items() if units > 0]
        if not chosen:
            raise Conflict(
                _("Everything in order %(number)s has been shipped.") % {"number": sub.number},
                code="nothing_to_ship",
            )
        return chosen
    if not lines:
        raise ServiceError(
            _("Choose at least one line to ship."),
            fields={"lines": [_("Choose at least one line.")]},
        )
    chosen, seen = [], set()
    for index, wanted in enumerate(lines):
        line = order_lines.get(wanted.order_line_id)
        if line is None or wanted.order_line_id in seen:
            raise ServiceError(
                _("Line %(n)d is not a line of this order, or comes twice.") % {"n": index + 1},
                fields={f"lines[{index}].order_line_id": [_("Not a line of this order.")]},
            )
        seen.add(wanted.order_line_id)
        if not isinstance(wanted.quantity, int) or wanted.quantity <= 0:
            raise ServiceError(
                _("Line %(n)d: ship a whole number of units above zero.") % {"n": index + 1},
                fields={f"lines[{index}].quantity": [_("A whole number above zero.")]},
            )
        if wanted.quantity > left[line.pk]:
            raise Conflict(
                _("%(sku)s: %(wanted)d to ship, but only %(left)d of %(ordered)d remain unshipped.")
                % {
                    "sku": line.sku_code,
                    "wanted": wanted.quantity,
                    "left": left[line.pk],
                    "ordered": line.quantity,
                },
                code="over_shipped",
                fields={f"lines[{index}].quantity": [_("More than remains unshipped.")]},
            )
        chosen.append((line, wanted.quantity))
    return chosen


def _waybill_request(sub, units: int) -> WaybillRequest:
    address = sub.order.address or {}
    region = " ".join(
        address.get(k, "") for k in ("province_name", "city_name", "district_name")
    ).strip()
    return WaybillRequest(
        sub_order_number=sub.number,
        recipient_name=address.get("recipient_name", ""),
        region=region,
        address=address.get("detail", ""),
        pieces=units,
    )


def _register_tracking(adapter: Carrier, tracking_number: str, callback_url: str) -> None:
    adapter.register_tracking(tracking_number=tracking_number, callback_url=callback_url)


@transaction.atomic
def shipment_create(
    *,
    shop,
    number: str,
    carrier: str,
    tracking_number: str = "",
    lines: list[ShipLine] | None = None,
    actor_user_id: int | None,
) -> Shipment:
    """Send a parcel of a paid (or confirmed) delivery sub-order: the given lines and units, or
    all that is still unshipped when `lines` is None. The first parcel moves the sub-order to
    shipped (the orders interface checks the move: 409 when unpaid, unconfirmed where the shop
    confirms orders, a pickup order, cancelled …); later parcels leave it shipped.

    Rules: the carrier must be one of the registry's; the tracking number is unique per carrier
    in this shop (409), and a carrier that issues waybills gives one when none is typed; units
    per line never exceed ordered less already shipped (409 `over_shipped`). Side effect after
    commit: a carrier with a tracking feed is asked to push this parcel's events to this shop's
    host (`CALLBACK_PATH`)."""
    adapter = _carrier(carrier)
    tracking = _tracking_number(adapter, tracking_number)
    number = selectors.valid_number(number) or ""
    if not number:
        raise NotFound(_("No such order in this shop."))
    _lock_sub_order(number)
    sub = _sub_order(shop_id=shop.pk, number=number)
    _shippable(sub)
    chosen = _parcel_lines(sub, lines)
    if not tracking:
        tracking = adapter.normalise_tracking_number(
            adapter.create_waybill(_waybill_request(sub, sum(units for _line, units in chosen)))
        )
    taken = _("Tracking number %(number)s is already on another parcel.") % {"number": tracking}
    if Shipment.objects.filter(carrier=adapter.code, tracking_number=tracking).exists():
        raise Conflict(taken, code="tracking_number_taken", fields={"tracking_number": [taken]})
    try:
        with transaction.atomic():
            shipment = Shipment.objects.create(
                sub_order_number=sub.number,
                carrier=adapter.code,
                tracking_number=tracking,
                created_by_user_id=actor_user_id,
                shipped_at=timezone.now(),
            )
    except IntegrityError as exc:  # another sub-order's parcel took the number meanwhile
        raise Conflict(
            taken, code="tracking_number_taken", fields={"tracking_number": [taken]}
        ) from exc
    ShipmentLine.objects.bulk_create(
        [
            ShipmentLine(
                shipment=shipment,
                order_line_id=line.pk,
                sku_code=line.sku_code,
                title=line.title,
                quantity=units,
            )
            for line, units in chosen
        ]
    )
    orders.mark_shipped(shop_id=shop.pk, number=sub.number, actor_user_id=actor_user_id)
    if adapter.tracks:
        callback = hosts.shop_url(shop.subdomain, CALLBACK_PATH.format(carrier=adapter.code))
        # robust: a broker that is down must not undo a parcel that has left (it is logged).
        transaction.on_commit(lambda: _register_tracking(adapter, tracking, callback), robust=True)
    return shipment


@dataclass(frozen=True)
class BulkRow:
    number: str
    carrier: str
    tracking_number: str = ""


@dataclass(frozen=True)
class BulkOutcome:
    number: str
    shipment: Shipment | None = None
    error: ServiceError | None = None


def shipments_bulk_create(
    *, shop, rows: list[BulkRow], actor_user_id: int | None
) -> list[BulkOutcome]:
    """Ship several sub-orders at once, each whole (all its unshipped lines) in one parcel. Each
    row is its own transaction: one refused row (a typo in a tracking number, an order cancelled
    meanwhile) does not hold back the others; the outcome of every row is returned in order."""
    if not rows:
        raise ServiceError(
            _("Fill in at least one order."), fields={"rows": [_("Nothing to ship.")]}
        )
    if len(rows) > MAX_BULK_ROWS:
        raise ServiceError(
            _("At most %(n)d orders at once.") % {"n": MAX_BULK_ROWS},
            fields={"rows": [_("Too many rows.")]},
        )
    numbers = [row.number for row in rows]
    if len(set(numbers)) != len(numbers):
        raise ServiceError(
            _("Each order may appear once."), fields={"rows": [_("An order appears twice.")]}
        )
    outcomes = []
    for row in rows:
        try:
            shipment = shipment_create(
                shop=shop,
                number=row.number,
                carrier=row.carrier,
                tracking_number=row.tracking_number,
                actor_user_id=actor_user_id,
            )
        except ServiceError as exc:
            outcomes.append(BulkOutcome(number=row.number, error=exc))
        else:
            outcomes.append(BulkOutcome(number=row.number, shipment=shipment))
    return outcomes


# --- tracking ----------------------------------------------------------------------------------

STATUS_OF_CODE = {
    TrackingCode.PICKED_UP: ShipmentStatus.IN_TRANSIT,
    TrackingCode.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    TrackingCode.OUT_FOR_DELIVERY: ShipmentStatus.IN_TRANSIT,
    TrackingCode.DELIVERED: ShipmentStatus.DELIVERED,
    TrackingCode.EXCEPTION: ShipmentStatus.EXCEPTION,
}


def _project(shipment: Shipment) -> None:
    """The parcel's status from its events: delivered once any delivery was reported (a late
    "in transit" after it changes nothing), else what the latest event (by when it happened)
    says."""
    events = shipment.events.order_by("-occurred_at", "-id")
    delivered = events.filter(code=TrackingCode.DELIVERED).order_by("occurred_at", "id").first()
    latest = events.first()
    if delivered is not None:
        status, delivered_at = ShipmentStatus.DELIVERED, delivered.occurred_at
    else:
        status, delivered_at = (
            (STATUS_OF_CODE[latest.code] if latest else ShipmentStatus.CREATED),
            None,
        )
    shipment.status, shipment.delivered_at = status, delivered_at
    shipment.last_event_at = latest.occurred_at if latest else None
    shipment.save(update_fields=["status", "delivered_at", "last_event_at"])


def _deliver_if_complete(*, shop_id: int, number: str) -> bool:
    """Every unit shipped and every parcel delivered: the sub-order is delivered."""
    sub = selectors.sub_order(shop_id=shop_id, number=number)
    if sub is None or sub.status != S.SHIPPED:
        return False
    view = selectors.order_views([sub])[0]
    if not view.fully_shipped:
        return False
    if (
        Shipment.objects.filter(sub_order_number=number)
        .exclude(status=ShipmentStatus.DELIVERED)
        .exists()
    ):
        return False
    try:
        orders.mark_delivered(shop_id=shop_id, number=number)
    except Conflict:  # moved on meanwhile (completed by hand, say): the parcel's events still count
        logger.warning("sub-order %s could not be marked delivered", number, exc_info=True)
        return False
    return True


@transaction.atomic
def tracking_event_record(
    *,
    shop_id: int,
    carrier: str,
    event: CarrierEvent,
    source: str = EventSource.CARRIER,
    actor_user_id: int | None = None,
) -> bool:
    """Record one tracking event of a parcel of this shop; False when it was recorded before
    (same event id: a replayed or retried push changes nothing). The parcel's status is
    re-projected from its events, and when this delivered the last parcel of a fully shipped
    sub-order, the sub-order becomes delivered. 404 for a tracking number not in this shop."""
    if not (TRACKING_NUMBER.fullmatch(event.tracking_number) and _printable(event.event_id)):
        raise NotFound(
            _("No parcel with this tracking number in this shop."), code="unknown_tracking_number"
        )
    shipment = Shipment.objects.filter(
        carrier=carrier, tracking_number=event.tracking_number
    ).first()
    if shipment is None:
        raise NotFound(
            _("No parcel with this tracking number in this shop."), code="unknown_tracking_number"
        )
    _lock_sub_order(shipment.sub_order_number)
    if TrackingEvent.objects.filter(shipment=shipment, event_id=event.event_id).exists():
        return False
    TrackingEvent.objects.create(
        shipment=shipment,
        event_id=event.event_id,
        code=event.code,
        description=_printable_part(event.description)[:200],
        location=_printable_part(event.location)[:100],
        occurred_at=event.occurred_at,
        source=source,
        actor_user_id=actor_user_id,
    )
    was_delivered = shipment.is_delivered
    _project(shipment)
    if shipment.is_delivered and not was_delivered:
        _deliver_if_complete(shop_id=shop_id, number=shipment.sub_order_number)
    return True


def shipment_mark_delivered(*, shop_id: int, shipment_id: int, actor_user_id: int) -> Shipment:
    """The shop's staff record that a parcel of a carrier without a tracking feed arrived (the
    buyer confirmed it, say). Carriers with a feed report deliveries themselves (409). Doing it
    twice records nothing new."""
    shipment = selectors.shipment(shipment_id)
    if shipment is None:
        raise NotFound(_("No such parcel in this shop."))
    adapter = registry.get(shipment.carrier)
    if adapter is not None and adapter.tracks:
        raise Conflict(
            _("This carrier reports deliveries itself."), code="carrier_reports_delivery"
        )
    tracking_event_record(
        shop_id=shop_id,
        carrier=shipment.carrier,
        source=EventSource.STAFF,
        actor_user_id=actor_user_id,
        event=CarrierEvent(
            event_id="staff-delivered",
            tracking_number=shipment.tracking_number,
            code=TrackingCode.DELIVERED,
            description="",
            location="",
            occurred_at=timezone.now(),
        ),
    )
    shipment.refresh_from_db()
    return shipment


# --- pickup at the counter ---------------------------------------------------------------------


def pickup_verify(*, shop_id: int, number: str, code: str, actor, ip: str | None = None):
    """Check the pickup code the buyer shows for one of this shop's pickup sub-orders; the
    sub-order when it matches. Every check is recorded (`PickupAttempt`); a wrong one is also
    audited and counted, and past FULFILMENT_PICKUP_TRIES_PER_ORDER wrong tries on the order, or
    FULFILMENT_PICKUP_TRIES_PER_STAFF by this staff member, within the window, checks are refused
    with 429 before the code is looked at. A wrong number and a wrong code get the same answer.
    A match opens the counter actions (take payment, hand over) on this order to this staff
    member for PICKUP_GRANT_SECONDS. Not atomic on purpose: the record of a wrong try must stay
    although the call fails."""
    number, code = _printable_part(number).strip()[:24], _printable_part(code).strip()[:16]
    if not number or not code:
        raise ServiceError(
            _("Enter the order number and the pickup code."),
            fields={
                key: [_("Required.")]
                for key, value in (("number", number), ("code", code))
                if not value
            },
        )
    tries = pickup_limits.wrong_tries(number=number, actor_user_id=actor.pk)
    minutes = pickup_limits.window_seconds() // 60
    if tries.order_blocked:
        raise RateLimited(
            _("Too many wrong pickup codes for order %(number)s: try again in %(minutes)d minutes.")
            % {"number": number, "minutes": minutes},
            code="pickup_tries_exhausted",
        )
    if tries.staff_blocked:
        raise RateLimited(
            _("You typed too many wrong pickup codes: try again in %(minutes)d minutes.")
            % {"minutes": minutes},
            code="pickup_tries_exhausted",
        )
    possible = selectors.valid_number(number) is not None
    if not (possible and orders.pickup_code_matches(shop_id=shop_id, number=number, code=code)):
        PickupAttempt.objects.create(
            sub_order_number=number, actor_user_id=actor.pk, succeeded=False, ip=ip
        )
        audit_record(
            actor=actor,
            action="fulfilment.pickup_code_wrong",
            target_type="sub_order",
            target_id=number,
            shop_id=shop_id,
            ip=ip,
        )
        tries = pickup_limits.count_wrong(number=number, actor_user_id=actor.pk)
        raise ServiceError(
            _("The order number or the pickup code is wrong (%(left)d tries left).")
            % {"left": tries.left},
            code="wrong_pickup_code",
            fields={"code": [_("Wrong order number or pickup code.")]},
        )
    PickupAttempt.objects.create(
        sub_order_number=number, actor_user_id=actor.pk, succeeded=True, ip=ip
    )
    return _sub_order(shop_id=shop_id, number=number)


def pickup_verified(*, number: str, actor_user_id: int) -> bool:
    """Whether this staff member matched this order's pickup code in the last minutes."""
    if selectors.valid_number(number) is None:
        return False
    since = timezone.now() - timedelta(seconds=PICKUP_GRANT_SECONDS)
    return PickupAttempt.objects.filter(
        sub_order_number=number, actor_user_id=actor_user_id, succeeded=True, created_at__gte=since
    ).exists()


def _verified_pickup(*, shop_id: int, number: str, actor_user_id: int):
    if not pickup_verified(number=number, actor_user_id=actor_user_id):
        raise Forbidden(_("Check the buyer's pickup code first."), code="pickup_not_verified")
    return _sub_order(shop_id=shop_id, number=number)


def pickup_take_payment(*, shop_id: int, number: str, actor, note: str = ""):
    """The buyer of a pay-at-pickup order pays at the counter: payments confirms the offline
    payment, which marks the sub-order paid (its held stock becomes a sale). Needs a pickup code
    verified by this staff member; an order already paid is left as it is (a double click)."""
    sub = _verified_pickup(shop_id=shop_id, number=number, actor_user_id=actor.pk)
    if sub.payment_mode != orders.PaymentMode.AT_PICKUP:
        raise Conflict(_("This order was paid online; hand it over."), code="paid_online")
    if sub.status != S.PENDING_PAYMENT:
        return sub
    if not sub.offline_payment_number:
        raise Conflict(
            _("This order has no payment to take at the counter."), code="no_offline_payment"
        )
    try:
        from shared_apps.payments.interface import offline_confirm
    except ImportError as exc:
        raise ServiceError(
            _("Payments cannot be taken right now."), code="payments_unavailable", status_code=503
        ) from exc
    offline_confirm(number=sub.offline_payment_number, actor_user_id=actor.pk, note=note[:200])
    return _sub_order(shop_id=shop_id, number=number)


def pickup_hand_over(*, shop_id: int, number: str, actor):
    """The buyer takes the goods: the pickup sub-order is completed. Needs a pickup code
    verified by this staff member; 409 while a pay-at-pickup order is unpaid."""
    _verified_pickup(shop_id=shop_id, number=number, actor_user_id=actor.pk)
    return orders.mark_picked_up(shop_id=shop_id, number=number, actor_user_id=actor.pk)
