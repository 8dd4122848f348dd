"""Reads of a shop's fulfilment: its sub-orders (through the orders interface, always filtered by
this shop), what each has shipped so far (this schema) and its parcels with their events."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet, Sum

from shared_apps.orders import interface as orders

from .models import PickupAttempt, Shipment, ShipmentLine, TrackingEvent

S = orders.SubOrderStatus
# Statuses in which a delivery sub-order may (still) send parcels.
SHIPPABLE = frozenset({S.PAID, S.CONFIRMED, S.SHIPPED})


NUMBER = re.compile(r"[0-9A-Za-z-]{1,24}")


def valid_number(number) -> str | None:
    """`number` stripped when it can be a sub-order number at all (digits, letters, dashes; at
    most 24), else None: typed or scanned junk never reaches a query."""
    number = str(number or "").strip()
    return number if NUMBER.fullmatch(number) else None


def sub_orders(*, shop_id: int, status: str = "", search: str = ""):
    """The shop's sub-orders, newest first (lines and parent order loaded)."""
    if status not in S.values:
        status = ""
    search = "".join(ch for ch in str(search or "") if ch.isprintable()).strip()[:64]
    return orders.sub_orders(shop_id=shop_id, status=status, search=search)


def sub_order(*, shop_id: int, number: str):
    """One of this shop's sub-orders (lines, parent order and history loaded), or None."""
    number = valid_number(number)
    if number is None:
        return None
    return orders.sub_order(shop_id=shop_id, number=number)


def shipped_quantities(numbers) -> dict[str, dict[int, int]]:
    """Units shipped so far per sub-order number and order line id, over all their parcels."""
    rows = (
        ShipmentLine.objects.filter(shipment__sub_order_number__in=list(numbers))
        .order_by()
        .values("shipment__sub_order_number", "order_line_id")
        .annotate(units=Sum("quantity"))
    )
    shipped: dict[str, dict[int, int]] = defaultdict(dict)
    for row in rows:
        shipped[row["shipment__sub_order_number"]][row["order_line_id"]] = row["units"]
    return shipped


def shipments(numbers) -> QuerySet[Shipment]:
    """Parcels of these sub-orders, oldest first, with their lines and events (newest first)."""
    return Shipment.objects.filter(sub_order_number__in=list(numbers)).prefetch_related(
        "lines", Prefetch("events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-id"))
    )


def shipment(shipment_id: int) -> Shipment | None:
    return Shipment.objects.filter(pk=shipment_id).first()


def recent_pickup_attempts(limit: int = 20) -> QuerySet[PickupAttempt]:
    return PickupAttempt.objects.all()[:limit]


# --- what the pages and the API show of one sub-order -----------------------------------------


@dataclass
class LineProgress:
    line: object  # the public OrderLine (read only)
    shipped: int

    @property
    def remaining(self) -> int:
        return max(self.line.quantity - self.shipped, 0)


@dataclass
class OrderView:
    """A sub-order as this shop sees it: its own lines and money, what has shipped, and where it
    goes. The delivery address is shown only for delivery sub-orders (a pickup buyer's home
    address is none of the shop's business)."""

    sub: object
    lines: list[LineProgress]
    shipments: list[Shipment] = field(default_factory=list)

    @property
    def remaining_units(self) -> int:
        return sum(p.remaining for p in self.lines)

    @property
    def fully_shipped(self) -> bool:
        return self.remaining_units == 0

    @property
    def address(self) -> dict | None:
        if self.sub.is_pickup:
            return None
        snapshot = self.sub.order.address or {}
        if not snapshot:
            return None
        return {
            key: snapshot.get(key, "")
            for key in (
                "recipient_name",
                "masked_phone",
                "province_name",
                "city_name",
                "district_name",
                "detail",
                "postal_code",
            )
        }

    @property
    def region(self) -> str:
        address = self.address or {}
        return " ".join(
            part
            for part in (
                address.get("province_name"),
                address.get("city_name"),
                address.get("district_name"),
            )
            if part
        )

    @property
    def needs_confirmation(self) -> bool:
        return self.sub.requires_confirmation and self.sub.status == S.PAID

    @property
    def can_ship(self) -> bool:
        return (
            not self.sub.is_pickup
            and self.sub.status in SHIPPABLE
            and not self.needs_confirmation
            and not self.fully_shipped
        )

    @property
    def awaits_pickup(self) -> bool:
        return self.sub.is_pickup and self.sub.status in (S.PENDING_PAYMENT, S.PAID, S.CONFIRMED)


def order_views(subs, *, with_shipments: bool = False) -> list[OrderView]:
    """Views of several sub-orders with two queries in this schema whatever their number."""
    subs = list(subs)
    numbers = [s.number for s in subs]
    shipped = shipped_quantities(numbers)
    parcels: dict[str, list[Shipment]] = defaultdict(list)
    if with_shipments:
        for parcel in shipments(numbers):
            parcels[parcel.sub_order_number].append(parcel)
    return [
        OrderView(
            sub=s,
            lines=[
                LineProgress(line, shipped.get(s.number, {}).get(line.pk, 0))
                for line in s.lines.all()
            ],
            shipments=parcels.get(s.number, []),
        )
        for s in subs
    ]


def order_view(*, shop_id: int, number: str) -> OrderView | None:
    sub = sub_order(shop_id=shop_id, number=number)
    return order_views([sub], with_shipments=True)[0] if sub is not None else None


def awaiting_shipment(*, shop_id: int, limit: int = 100) -> list[OrderView]:
    """Delivery sub-orders ready for their first parcel (paid, or confirmed where the shop
    confirms orders), newest first: the rows of the bulk-shipping form."""
    ready = []
    for status in (S.CONFIRMED, S.PAID):
        for sub in sub_orders(shop_id=shop_id, status=status)[:limit]:
            if not sub.is_pickup and not (sub.requires_confirmation and sub.status == S.PAID):
                ready.append(sub)
    ready.sort(key=lambda s: s.created_at, reverse=True)
    return [v for v in order_views(ready[:limit]) if not v.fully_shipped]
