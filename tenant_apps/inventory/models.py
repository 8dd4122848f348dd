"""Stock in a shop's own schema (进销存): locations, the movement ledger, balances derived from it,
reservations for checkout, stocktakes and low-stock thresholds.

History is append-only: a `StockMovement` is never edited; `StockBalance` is a running total of
the ledger kept in the same transaction as each movement (`check_stock_ledger` proves it).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", pgettext_lazy("location kind", "Warehouse")
    STORE = "store", _("Offline store")


class Location(models.Model):
    """A warehouse or an offline store (线下门店) that holds stock. `priority` is the shop's
    allocation order for online reservations: lower takes first."""

    kind = models.CharField(max_length=10, choices=LocationKind.choices, default=LocationKind.WAREHOUSE)
    name = models.CharField(max_length=60)
    code = models.CharField(max_length=32, unique=True)
    province_code = models.CharField(max_length=6, blank=True)  # GB/T 2260 region codes
    city_code = models.CharField(max_length=6, blank=True)
    district_code = models.CharField(max_length=6, blank=True)
    address_detail = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    opening_hours = models.CharField(max_length=200, blank=True)
    sells_online = models.BooleanField(default=True)
    does_pickup = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    priority = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class MovementKind(models.TextChoices):
    PURCHASE_RECEIPT = "purchase_receipt", _("Purchase receipt")
    SALE = "sale", _("Sale")
    SALE_RETURN = "sale_return", _("Sale return")
    PURCHASE_RETURN = "purchase_return", _("Purchase return")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ADJUSTMENT = "adjustment", _("Adjustment")
    STOCKTAKE_VARIANCE = "stocktake_variance", _("Stocktake variance")


class StockMovement(models.Model):
    """One immutable ledger row: `quantity` units (signed) of a SKU into or out of a location."""

    kind = models.CharField(max_length=20, choices=MovementKind.choices)
    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.IntegerField()
    unit_cost = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    # The sale price per unit of a sale or sale return (None: not known, e.g. a sale posted by
    # hand); revenue and gross margin in the reports count only movements that carry one.
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    reference = models.CharField(max_length=64, blank=True, db_index=True)
    reason = models.CharField(max_length=200, blank=True)
    actor_user_id = models.BigIntegerField(null=True, blank=True)  # None: the system (checkout)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["sku", "location"])]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_zero")]


class StockBalance(models.Model):
    """On hand and reserved per SKU per location; available = on_hand − reserved. Changed only by
    `services` in the transaction that writes the movement or reservation."""

    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)

    class Meta:
        ordering = ["location_id", "sku_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="balance_one_per_sku_location"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="balance_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="balance_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="balance_reserved_within_on_hand"),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class ReservationStatus(models.TextChoices):
    HELD = "held", _("Held")
    COMMITTED = "committed", _("Committed")
    RELEASED = "released", _("Released")


class Reservation(models.Model):
    """Units held for a sub-order (`reference`) until it is paid (commit → a sale movement) or
    cancelled/expired (release). Not a movement: it changes `reserved`, not `on_hand`."""

    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)  # carried to the sale
    reference = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.HELD)
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_positive")]


class StockTakeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


class StockTake(models.Model):
    """A count of one location (盘点): expected quantities are snapshot when it opens; posting
    writes the differences as `stocktake_variance` movements, once."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="stocktakes")
    status = models.CharField(max_length=10, choices=StockTakeStatus.choices, default=StockTakeStatus.OPEN)
    note = models.CharField(max_length=200, blank=True)
    opened_by_user_id = models.BigIntegerField()
    opened_at = models.DateTimeField(auto_now_add=True)
    posted_by_user_id = models.BigIntegerField(null=True, blank=True)
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["location"], condition=Q(status="open"), name="stocktake_one_open_per_location"),
        ]

    @property
    def reference(self) -> str:
        return f"ST{self.pk}"


class StockTakeLine(models.Model):
    stocktake = models.ForeignKey(StockTake, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="+")
    expected = models.IntegerField()
    counted = models.PositiveIntegerField(null=True, blank=True)  # None: not counted yet
    counted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["stocktake", "sku"], name="stocktake_line_one_per_sku")]

    @property
    def variance(self) -> int | None:
        return None if self.counted is None else self.counted - self.expected


class LowStockThreshold(models.Model):
    """Alert when on-hand stock of a SKU falls below `threshold`, at one location or (location
    None) in total over all locations."""

    sku = models.ForeignKey("catalog.SKU", on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    threshold = models.PositiveIntegerField()

    class Meta:
        ordering = ["sku_id", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "location"], name="threshold_one_per_sku_location"),
            models.UniqueConstraint(fields=["sku"], condition=Q(location__isnull=True), name="threshold_one_total_per_sku"),
        ]
