"""What the platform side reads of a shop's fulfilment: the parcels of one sub-order with their
tracking timeline, for the buyer's order page. Call it inside the shop's schema
(`schema_context(shop.schema_name)`); plain frozen data comes back, never ORM rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TrackingEventData:
    code: str  # picked_up, in_transit, out_for_delivery, delivered, exception
    label: str  # the code in the active language
    description: str  # the carrier's own words
    location: str
    occurred_at: datetime


@dataclass(frozen=True)
class ShipmentLineData:
    order_line_id: int  # public OrderLine id
    sku_code: str
    title: str
    quantity: int


@dataclass(frozen=True)
class ShipmentData:
    id: int
    carrier: str  # code
    carrier_name: str
    tracking_number: str
    status: str  # created, in_transit, delivered, exception
    status_label: str
    shipped_at: datetime
    delivered_at: datetime | None
    lines: tuple[ShipmentLineData, ...]
    events: tuple[TrackingEventData, ...]  # newest first


def shipments_for(number: str) -> list[ShipmentData]:
    """The parcels of sub-order `number` in the current shop's schema, oldest first, each with
    its lines and its tracking events newest first. Two queries whatever their number."""
    from . import selectors

    return [shipments_data(parcel) for parcel in selectors.shipments([number])]


def shipments_data(parcel) -> ShipmentData:
    return ShipmentData(
        id=parcel.pk,
        carrier=parcel.carrier,
        carrier_name=parcel.carrier_name,
        tracking_number=parcel.tracking_number,
        status=parcel.status,
        status_label=str(parcel.get_status_display()),
        shipped_at=parcel.shipped_at,
        delivered_at=parcel.delivered_at,
        lines=tuple(
            ShipmentLineData(
                order_line_id=line.order_line_id,
                sku_code=line.sku_code,
                title=line.title,
                quantity=line.quantity,
            )
            for line in parcel.lines.all()
        ),
        events=tuple(
            TrackingEventData(
                code=event.code,
                label=str(event.get_code_display()),
                description=event.description,
                location=event.location,
                occurred_at=event.occurred_at,
            )
            for event in parcel.events.all()
        ),
    )
