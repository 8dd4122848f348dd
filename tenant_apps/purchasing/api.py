"""The purchasing API at /api/v1/shop/purchasing/ on the shop's host: suppliers, purchase orders,
receipts, returns and the over-receipt tolerance.

One view per operation (a path with several methods holds one per method); the services check
every rule and their refusals become the one error body. Callers need the inventory section.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema
from backend.lib.ip import client_ip
from tenant_apps.shop.api import ShopApiView

from . import selectors, services
from .models import PurchaseOrderStatus

TAGS = ["purchasing"]
# Plain strings in the schema: a second enum named "status" would collide with other apps' ones.
STATUSES = "One of: " + ", ".join(PurchaseOrderStatus.values) + "."


class PurchasingApiView(ShopApiView):
    """Purchasing of this shop; the caller's role must open the inventory section."""

    section = "inventory"


def _valid(serializer_class, data, **kwargs) -> dict:
    serializer = serializer_class(data=data, **kwargs)
    if not serializer.is_valid():
        raise serializers.ValidationError(_indexed(serializer.errors))
    return serializer.validated_data


def _indexed(errors: dict) -> dict:
    """Name a nested line's errors `lines[0]` (as the services do) rather than DRF's
    {"lines": {0: …}}, and a list-level error `lines` rather than `lines.non_field_errors`."""
    out = {}
    for key, value in errors.items():
        if isinstance(value, dict) and value and all(isinstance(k, int) for k in value):
            out.update({f"{key}[{index}]": sub for index, sub in value.items()})
        elif isinstance(value, dict) and list(value) == ["non_field_errors"]:
            out[key] = value["non_field_errors"]
        else:
            out[key] = value
    return out


def _order_or_404(order_id: int):
    order = selectors.order_detail(order_id=order_id)
    if order is None:
        raise NotFound("Unknown purchase order.")
    return order


# --- suppliers ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="PurchasingSupplier")
class SupplierOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    contact = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    payment_terms = serializers.CharField()
    is_active = serializers.BooleanField()


@extend_schema_serializer(component_name="PurchasingSupplierInput")
class SupplierIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    code = serializers.CharField(max_length=32)
    contact = serializers.CharField(max_length=60, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    payment_terms = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="E.g. 30 days net."
    )
    is_active = serializers.BooleanField(required=False)


class SupplierListApi(PurchasingApiView):
    @extend_schema(
        tags=TAGS,
        summary="List suppliers",
        operation_id="purchasing_suppliers_list",
        parameters=[
            OpenApiParameter("q", str, description="Part of the name or code."),
            OpenApiParameter("active", bool),
        ],
        responses={200: page_schema("PaginatedPurchasingSupplierList", SupplierOut)},
    )
    def get(self, request):
        q = request.query_params
        return self.page(
            selectors.suppliers(
                q=q.get("q", "").strip(), active_only=q.get("active") in ("1", "true")
            ),
            SupplierOut,
        )

    @extend_schema(
        tags=TAGS,
        summary="Add a supplier",
        operation_id="purchasing_suppliers_create",
        description="409 when the code is taken.",
        request=SupplierIn,
        responses={201: SupplierOut},
    )
    def post(self, request):
        supplier = services.supplier_create(data=_valid(SupplierIn, request.data))
        return Response(SupplierOut(supplier).data, status=status.HTTP_201_CREATED)


class SupplierDetailApi(PurchasingApiView):
    @extend_schema(
        tags=TAGS,
        summary="Read a supplier",
        operation_id="purchasing_suppliers_read",
        responses={200: SupplierOut},
    )
    def get(self, request, supplier_id: int):
        supplier = selectors.supplier(supplier_id=supplier_id)
        if supplier is None:
            raise NotFound("Unknown supplier.")
        return Response(SupplierOut(supplier).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a supplier",
        operation_id="purchasing_suppliers_update",
        request=SupplierIn,
        responses={200: SupplierOut},
    )
    def patch(self, request, supplier_id: int):
        supplier = services.supplier_update(
            supplier_id=supplier_id, data=_valid(SupplierIn, request.data, partial=True)
        )
        return Response(SupplierOut(supplier).data)


# --- purchase orders ---------------------------------------------------------------------------


@extend_schema_serializer(component_name="PurchasingOrderSummary")
class OrderOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text=STATUSES)
    supplier_id = serializers.IntegerField()
    supplier_name = serializers.CharField(source="supplier.name")
    location_id = serializers.IntegerField()
    location_code = serializers.CharField(source="location.code")
    expected_date = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    line_count = serializers.IntegerField()
    quantity_ordered = serializers.IntegerField()
    quantity_received = serializers.IntegerField()
    total_amount = serializers.DecimalField(
        max_digits=18, decimal_places=2, help_text="Σ ordered × unit cost, CNY."
    )


@extend_schema_serializer(component_name="PurchasingOrderLine")
class OrderLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField(source="sku.code")
    quantity_ordered = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity_received = serializers.IntegerField()
    quantity_returned = serializers.IntegerField()


@extend_schema_serializer(component_name="PurchasingReceiptLine")
class ReceiptLineOut(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    sku_code = serializers.CharField(source="order_line.sku.code")
    quantity = serializers.IntegerField()
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2)
    cost_before = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="The SKU's moving-average cost before this receipt.",
    )
    cost_after = serializers.DecimalField(max_digits=12, decimal_places=2)


@extend_schema_serializer(component_name="PurchasingReceipt")
class ReceiptOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    reference = serializers.CharField(help_text="The stock movements' reference.")
    idempotency_key = serializers.CharField()
    note = serializers.CharField()
    received_by_user_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    lines = ReceiptLineOut(many=True)


@extend_schema_serializer(component_name="PurchasingReturnLine")
class ReturnLineOut(serializers.Serializer):
    line_id = serializers.IntegerField(source="order_line_id")
    sku_code = serializers.CharField(source="order_line.sku.code")
    quantity = serializers.IntegerField()


@extend_schema_serializer(component_name="PurchasingReturn")
class ReturnOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_id = serializers.IntegerField()
    reference = serializers.CharField()
    idempotency_key = serializers.CharField()
    reason = serializers.CharField()
    created_by_user_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    lines = ReturnLineOut(many=True)


@extend_schema_serializer(component_name="PurchasingStatusChange")
class StatusChangeOut(serializers.Serializer):
    from_status = serializers.CharField(help_text="Empty when the order was created.")
    to_status = serializers.CharField(help_text=STATUSES)
    actor_user_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="PurchasingOrder")
class OrderDetailOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField(help_text=STATUSES)
    supplier = SupplierOut()
    location_id = serializers.IntegerField()
    location_code = serializers.CharField(source="location.code")
    expected_date = serializers.DateField(allow_null=True)
    note = serializers.CharField()
    created_by_user_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    lines = OrderLineOut(many=True, source="lines.all")
    receipts = ReceiptOut(many=True, source="receipts.all")
    returns = ReturnOut(many=True, source="returns.all")
    history = StatusChangeOut(many=True, source="status_changes.all")


@extend_schema_serializer(component_name="PurchasingOrderLineInput")
class OrderLineIn(serializers.Serializer):
    sku_id = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1, help_text="Whole units ordered, at least 1.")
    unit_cost = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="CNY, at most 2 decimals."
    )


def _order_lines(rows) -> list[services.OrderLineInput]:
    return [services.OrderLineInput(r["sku_id"], r["quantity"], r["unit_cost"]) for r in rows]


def _detail(order_id: int) -> dict:
    return OrderDetailOut(_order_or_404(order_id)).data


class OrderListApi(PurchasingApiView):
    @extend_schema_serializer(component_name="PurchasingOrderCreate")
    class Input(serializers.Serializer):
        supplier_id = serializers.IntegerField()
        location_id = serializers.IntegerField(help_text="The warehouse or store the goods go to.")
        expected_date = serializers.DateField(required=False, allow_null=True, default=None)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        lines = OrderLineIn(many=True, required=False, default=list, help_text="One line per SKU.")

    @extend_schema(
        tags=TAGS,
        summary="List purchase orders",
        operation_id="purchasing_orders_list",
        parameters=[
            OpenApiParameter("status", str, description=STATUSES),
            OpenApiParameter("supplier", int),
            OpenApiParameter("q", str, description="Part of the order number."),
        ],
        responses={200: page_schema("PaginatedPurchasingOrderList", OrderOut)},
    )
    def get(self, request):
        q = request.query_params
        supplier = q.get("supplier", "")
        return self.page(
            selectors.orders(
                status=q.get("status", ""),
                supplier_id=int(supplier) if supplier.isdigit() else None,
                q=q.get("q", "").strip(),
            ),
            OrderOut,
        )

    @extend_schema(
        tags=TAGS,
        summary="Open a draft purchase order",
        operation_id="purchasing_orders_create",
        description="Numbered PO-YYYYMMDD-NNNN. 404 naming the field for an unknown supplier, location or SKU.",
        request=Input,
        responses={201: OrderDetailOut},
    )
    def post(self, request):
        data = _valid(self.Input, request.data)
        order = services.order_create(
            supplier_id=data["supplier_id"],
            location_id=data["location_id"],
            lines=_order_lines(data["lines"]),
            expected_date=data["expected_date"],
            note=data["note"],
            actor_user_id=request.user.pk,
        )
        return Response(_detail(order.pk), status=status.HTTP_201_CREATED)


class OrderDetailApi(PurchasingApiView):
    @extend_schema_serializer(component_name="PurchasingOrderUpdate")
    class Input(serializers.Serializer):
        supplier_id = serializers.IntegerField(required=False)
        location_id = serializers.IntegerField(required=False)
        expected_date = serializers.DateField(required=False, allow_null=True)
        note = serializers.CharField(max_length=500, required=False, allow_blank=True)
        lines = OrderLineIn(many=True, required=False, help_text="When given, replaces all lines.")

    @extend_schema(
        tags=TAGS,
        summary="Read a purchase order with its lines, receipts, returns and history",
        operation_id="purchasing_orders_read",
        responses={200: OrderDetailOut},
    )
    def get(self, request, order_id: int):
        return Response(_detail(order_id))

    @extend_schema(
        tags=TAGS,
        summary="Change a draft purchase order",
        operation_id="purchasing_orders_update",
        description="409 unless the order is a draft.",
        request=Input,
        responses={200: OrderDetailOut},
    )
    def patch(self, request, order_id: int):
        data = dict(_valid(self.Input, request.data))
        lines = data.pop("lines", None)
        services.order_update(
            order_id=order_id, data=data, lines=None if lines is None else _order_lines(lines)
        )
        return Response(_detail(order_id))


class OrderPlaceApi(PurchasingApiView):
    @extend_schema(
        tags=TAGS,
        summary="Send a draft purchase order to the supplier",
        operation_id="purchasing_orders_place",
        description="draft → ordered; 409 from any other status.",
        request=None,
        responses={200: OrderDetailOut},
    )
    def post(self, request, order_id: int):
        services.order_place(
            order_id=order_id, actor=request.user, shop_id=request.tenant.pk, ip=client_ip(request)
        )
        return Response(_detail(order_id))


class OrderCancelApi(PurchasingApiView):
    @extend_schema_serializer(component_name="PurchasingOrderCancel")
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        tags=TAGS,
        summary="Cancel a purchase order",
        operation_id="purchasing_orders_cancel",
        description="From draft, ordered or partially received; 409 once received or cancelled.",
        request=Input,
        responses={200: OrderDetailOut},
    )
    def post(self, request, order_id: int):
        services.order_cancel(
            order_id=order_id,
            reason=_valid(self.Input, request.data)["reason"],
            actor=request.user,
            shop_id=request.tenant.pk,
            ip=client_ip(request),
        )
        return Response(_detail(order_id))


@extend_schema_serializer(component_name="PurchasingQuantityInput")
class QuantityIn(serializers.Serializer):
    line_id = serializers.IntegerField(help_text="A line of this purchase order.")
    quantity = serializers.IntegerField(min_value=1, help_text="Whole units, at least 1.")


def _quantities(rows) -> list[services.QuantityInput]:
    return [services.QuantityInput(r["line_id"], r["quantity"]) for r in rows]


KEY_HELP = (
    "Optional; a retry with the same key returns the first result (200) instead of posting again."
)


class ReceiptCreateApi(PurchasingApiView):
    @extend_schema_serializer(component_name="PurchasingReceiptCreate")
    class Input(serializers.Serializer):
        idempotency_key = serializers.CharField(
            max_length=64, required=False, allow_blank=True, default="", help_text=KEY_HELP
        )
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        lines = QuantityIn(many=True, min_length=1)

    @extend_schema(
        tags=TAGS,
        summary="Receive goods against a purchase order",
        operation_id="purchasing_receipts_create",
        description="Partial receipts allowed. 409 order_not_receivable for a draft, cancelled or received order; "
        "409 over_receipt naming the line beyond the ordered quantity plus the shop's tolerance. Posts "
        "purchase_receipt movements and updates each SKU's moving-average cost.",
        request=Input,
        responses={201: ReceiptOut, 200: ReceiptOut},
    )
    def post(self, request, order_id: int):
        data = _valid(self.Input, request.data)
        receipt = services.receipt_post(
            order_id=order_id,
            lines=_quantities(data["lines"]),
            idempotency_key=data["idempotency_key"],
            note=data["note"],
            actor=request.user,
            shop_id=request.tenant.pk,
            ip=client_ip(request),
        )
        replayed = getattr(receipt, "replayed", False)
        body = ReceiptOut(selectors.receipt(receipt_id=receipt.pk)).data
        return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


class ReturnCreateApi(PurchasingApiView):
    @extend_schema_serializer(component_name="PurchasingReturnCreate")
    class Input(serializers.Serializer):
        idempotency_key = serializers.CharField(
            max_length=64, required=False, allow_blank=True, default="", help_text=KEY_HELP
        )
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        lines = QuantityIn(many=True, min_length=1)

    @extend_schema(
        tags=TAGS,
        summary="Return received goods to the supplier",
        operation_id="purchasing_returns_create",
        description="409 return_exceeds_received naming the line beyond received − returned; 409 insufficient_stock "
        "when the order's location no longer holds the units.",
        request=Input,
        responses={201: ReturnOut, 200: ReturnOut},
    )
    def post(self, request, order_id: int):
        data = _valid(self.Input, request.data)
        ret = services.return_post(
            order_id=order_id,
            lines=_quantities(data["lines"]),
            idempotency_key=data["idempotency_key"],
            reason=data["reason"],
            actor=request.user,
            shop_id=request.tenant.pk,
            ip=client_ip(request),
        )
        replayed = getattr(ret, "replayed", False)
        body = ReturnOut(selectors.purchase_return(return_id=ret.pk)).data
        return Response(body, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)


# --- settings ----------------------------------------------------------------------------------


@extend_schema_serializer(component_name="PurchasingSettings")
class SettingsOut(serializers.Serializer):
    over_receipt_tolerance_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        help_text="How far beyond the ordered quantity a line may be received (0 to 100).",
    )


class SettingsApi(PurchasingApiView):
    @extend_schema(
        tags=TAGS,
        summary="Read the purchasing settings",
        operation_id="purchasing_settings_read",
        responses={200: SettingsOut},
    )
    def get(self, request):
        return Response(SettingsOut(selectors.settings()).data)

    @extend_schema(
        tags=TAGS,
        summary="Change the over-receipt tolerance",
        operation_id="purchasing_settings_update",
        request=SettingsOut,
        responses={200: SettingsOut},
    )
    def patch(self, request):
        row = services.settings_update(
            over_receipt_tolerance_percent=request.data.get("over_receipt_tolerance_percent", ""),
            actor=request.user,
            shop_id=request.tenant.pk,
            ip=client_ip(request),
        )
        return Response(SettingsOut(row).data)
