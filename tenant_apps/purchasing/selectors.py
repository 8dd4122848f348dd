"""Reads of a shop's purchasing for pages and API. Lists are one query each (annotated totals,
joined supplier and location), so their cost does not grow with the number of rows shown."""

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Prefetch, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from tenant_apps.catalog.models import SKU

from .models import (
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseOrderStatus,
    PurchaseReturn,
    PurchaseReturnLine,
    PurchasingSettings,
    Receipt,
    ReceiptLine,
    Supplier,
)


def suppliers(*, q: str = "", active_only: bool = False) -> QuerySet[Supplier]:
    rows = Supplier.objects.all()
    if q:
        rows = rows.filter(name__icontains=q) | rows.filter(code__icontains=q)
    if active_only:
        rows = rows.filter(is_active=True)
    return rows.order_by("name", "id")


def supplier(*, supplier_id: int) -> Supplier | None:
    return Supplier.objects.filter(pk=supplier_id).first()


def orders(
    *, status: str = "", supplier_id: int | None = None, q: str = ""
) -> QuerySet[PurchaseOrder]:
    """Purchase orders, newest first, with their line count and ordered/received totals."""
    rows = PurchaseOrder.objects.select_related("supplier", "location").annotate(
        line_count=Count("lines"),
        quantity_ordered=Coalesce(Sum("lines__quantity_ordered"), 0),
        quantity_received=Coalesce(Sum("lines__quantity_received"), 0),
        total_amount=Coalesce(
            Sum(
                F("lines__quantity_ordered") * F("lines__unit_cost"),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=18, decimal_places=2),
        ),
    )
    if status in PurchaseOrderStatus.values:
        rows = rows.filter(status=status)
    if supplier_id:
        rows = rows.filter(supplier_id=supplier_id)
    if q:
        rows = rows.filter(number__icontains=q)
    return rows.order_by("-id")


def order_detail(*, order_id: int) -> PurchaseOrder | None:
    """One order with its lines (and SKUs), receipts, returns and status history: five queries."""
    return (
        PurchaseOrder.objects.select_related("supplier", "location")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("sku")),
            Prefetch(
                "receipts",
                queryset=Receipt.objects.select_related("order").prefetch_related(
                    Prefetch(
                        "lines", queryset=ReceiptLine.objects.select_related("order_line__sku")
                    )
                ),
            ),
            Prefetch(
                "returns",
                queryset=PurchaseReturn.objects.select_related("order").prefetch_related(
                    Prefetch(
                        "lines",
                        queryset=PurchaseReturnLine.objects.select_related("order_line__sku"),
                    )
                ),
            ),
            "status_changes",
        )
        .filter(pk=order_id)
        .first()
    )


def settings() -> PurchasingSettings:
    """The shop's settings; the defaults (unsaved) until someone changes them."""
    return PurchasingSettings.objects.filter(pk=1).first() or PurchasingSettings(pk=1)


def sku_ids_by_code(codes: list[str]) -> dict[str, int]:
    return dict(SKU.objects.filter(code__in=[c for c in codes if c]).values_list("code", "id"))


def receipt(*, receipt_id: int) -> Receipt:
    return (
        Receipt.objects.select_related("order")
        .prefetch_related(
            Prefetch("lines", queryset=ReceiptLine.objects.select_related("order_line__sku"))
        )
        .get(pk=receipt_id)
    )


def purchase_return(*, return_id: int) -> PurchaseReturn:
    return (
        PurchaseReturn.objects.select_related("order")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseReturnLine.objects.select_related("order_line__sku"))
        )
        .get(pk=return_id)
    )
