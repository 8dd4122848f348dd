"""A shop's fulfilment in its own schema (履约): shipments (parcels, 包裹) of its sub-orders with
their lines, the carrier's tracking events, and the pickup-code checks at its offline stores.

Sub-orders are the platform's record in the public schema; rows here refer to them by the
sub-order number and to their lines by the public `OrderLine` id, never by a foreign key (SPEC:
no database foreign keys from shop tables to public tables). A sub-order may leave in several
parcels; what a parcel carries is its `ShipmentLine`s, append-only.

A shipment's `status` is not a state machine of its own: it is a projection of its tracking
events (`services._project`), recomputed whenever an event arrives, so events arriving late or
twice never leave it wrong.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    CREATED = "created", _("Created")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")


class TrackingCode(models.TextChoices):
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")


class EventSource(models.TextChoices):
    CARRIER = "carrier", _("Carrier")
    STAFF = "staff", _("Shop staff")


class Shipment(models.Model):
    """One parcel (包裹) of a sub-order: a carrier, its tracking number (运单号), what it holds."""

    sub_order_number = models.CharField(max_length=24, db_index=True)
    carrier = models.CharField(max_length=16)  # a code of carriers.registry
    tracking_number = models.CharField(max_length=40)
    status = models.CharField(
        max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.CREATED
    )
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["shipped_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"], name="shipment_tracking_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"

    @property
    def carrier_name(self) -> str:
        from .carriers import registry

        adapter = registry.get(self.carrier)
        return str(adapter.name) if adapter else self.carrier

    @property
    def is_delivered(self) -> bool:
        return self.status == ShipmentStatus.DELIVERED


class ShipmentLine(models.Model):
    """How many units of one order line a parcel holds. SKU code and title are copied from the
    order line, so packing lists and tracking pages read this schema only."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line_id = models.BigIntegerField()  # public OrderLine.id
    sku_code = models.CharField(max_length=64)
    title = models.CharField(max_length=120)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="shipmentline_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["shipment", "order_line_id"], name="shipmentline_one_per_line"
            ),
        ]
        indexes = [models.Index(fields=["order_line_id"], name="shipmentline_order_line")]


class TrackingEvent(models.Model):
    """What the carrier (or, for carriers without a feed, the shop's staff) said happened to a
    parcel. Append-only; `event_id` is the sender's id, so a replayed event is recorded once."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=64)
    code = models.CharField(max_length=20, choices=TrackingCode.choices)
    description = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(
        max_length=8, choices=EventSource.choices, default=EventSource.CARRIER
    )
    actor_user_id = models.BigIntegerField(null=True, blank=True)  # staff events only

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "event_id"], name="trackingevent_once"),
        ]


class PickupAttempt(models.Model):
    """Every pickup-code check at the counter (提货码核验), right or wrong: the audit trail of who
    tried which order from where, and what the Redis try counters are rebuilt from."""

    sub_order_number = models.CharField(max_length=24)
    actor_user_id = models.BigIntegerField()
    succeeded = models.BooleanField()
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["sub_order_number", "-created_at"], name="pickupattempt_order"),
            models.Index(fields=["actor_user_id", "-created_at"], name="pickupattempt_actor"),
        ]
