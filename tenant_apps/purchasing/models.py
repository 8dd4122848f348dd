"""Purchasing in a shop's own schema (采购): suppliers, purchase orders with their lines, receipts
into stock and returns to the supplier, and the shop's purchasing settings.

Quantities received and returned on a line are running totals of the receipt and return rows
(append-only), kept in the same transaction by `services`; stock itself moves only through the
inventory ledger (`purchase_receipt` / `purchase_return` movements).
"""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.lib.money import MoneyField


class Supplier(models.Model):
    """A supplier (供应商) the shop buys from."""

    name = models.CharField(max_length=100)
    code = models.CharField(max_length=32, unique=True)
    contact = models.CharField(max_length=60, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=200, blank=True)
    payment_terms = models.CharField(max_length=200, blank=True)  # e.g. "30 days net"
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ORDERED = "ordered", _("Ordered")
    PARTIALLY_RECEIVED = "partially_received", _("Partially received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class PurchaseOrder(models.Model):
    """A purchase order (采购单) to one supplier, delivered to one location. Its status moves only
    through `transitions.ALLOWED`, each move recorded as a `PurchaseOrderStatusChange`."""

    number = models.CharField(max_length=20, unique=True)  # PO-YYYYMMDD-0001
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    location = models.ForeignKey("inventory.Location", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.DRAFT
    )
    expected_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_by_user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "-id"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_editable(self) -> bool:
        return self.status == PurchaseOrderStatus.DRAFT

    @property
    def can_receive(self) -> bool:
        return self.status in (PurchaseOrderStatus.ORDERED, PurchaseOrderStatus.PARTIALLY_RECEIVED)


class PurchaseOrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    sku = models.ForeignKey("catalog.SKU", on_delete=models.PROTECT, related_name="+")
    quantity_ordered = models.PositiveIntegerField()
    unit_cost = MoneyField()
    quantity_received = models.PositiveIntegerField(default=0)
    quantity_returned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="po_line_one_per_sku"),
            models.CheckConstraint(
                condition=Q(quantity_ordered__gt=0), name="po_line_quantity_positive"
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="po_line_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(quantity_returned__lte=F("quantity_received")),
                name="po_line_returned_within_received",
            ),
        ]

    @property
    def outstanding(self) -> int:
        return max(self.quantity_ordered - self.quantity_received, 0)

    @property
    def returnable(self) -> int:
        return self.quantity_received - self.quantity_returned

    @property
    def amount(self):
        return self.quantity_ordered * self.unit_cost


class PurchaseOrderStatusChange(models.Model):
    """History of a purchase order's status: who moved it, when, from what to what, and why."""

    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, blank=True)  # "" when the order was created
    to_status = models.CharField(max_length=20)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    @property
    def from_label(self) -> str:
        return PurchaseOrderStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self) -> str:
        return PurchaseOrderStatus(self.to_status).label


class Receipt(models.Model):
    """Goods received against a purchase order (收货), posted once as `purchase_receipt`
    movements. `idempotency_key`, when the client gives one, makes a retried post return the
    first receipt instead of receiving twice."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    idempotency_key = models.CharField(max_length=64, blank=True)
    note = models.CharField(max_length=200, blank=True)
    received_by_user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="receipt_key_unique",
            ),
        ]

    @property
    def reference(self) -> str:
        return f"{self.order.number}-R{self.pk}"


class ReceiptLine(models.Model):
    """One PO line's units in a receipt, with the SKU's moving-average cost before and after."""

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="receipt_lines"
    )
    quantity = models.PositiveIntegerField()
    unit_cost = MoneyField()
    cost_before = MoneyField(null=True, blank=True)
    cost_after = MoneyField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="receipt_line_quantity_positive"
            )
        ]


class PurchaseReturn(models.Model):
    """Received units sent back to the supplier (采购退货), posted as `purchase_return` movements
    out of the order's location."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="returns")
    idempotency_key = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by_user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="return_key_unique",
            ),
        ]

    @property
    def reference(self) -> str:
        return f"{self.order.number}-T{self.pk}"


class PurchaseReturnLine(models.Model):
    purchase_return = models.ForeignKey(
        PurchaseReturn, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, related_name="return_lines"
    )
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="return_line_quantity_positive"
            )
        ]


class PurchasingSettings(models.Model):
    """The shop's purchasing settings: one row (id 1). `over_receipt_tolerance_percent` lets a
    line receive up to that much more than ordered (0: never more than ordered)."""

    over_receipt_tolerance_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="purchasing_settings_singleton"),
            models.CheckConstraint(
                condition=Q(
                    over_receipt_tolerance_percent__gte=0, over_receipt_tolerance_percent__lte=100
                ),
                name="purchasing_tolerance_0_to_100",
            ),
        ]
