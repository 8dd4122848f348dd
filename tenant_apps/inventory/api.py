"""The stock API at /api/v1/shop/inventory/ on the shop's host: locations, balances, the ledger,
adjustments, transfers, stocktakes and low-stock thresholds.

One view per operation (a path with several methods holds one per method); the services check
every rule and their refusals become the one error body. Reservations are not exposed: checkout
calls the services in its own transaction.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.api.errors import NotFound, validated
from backend.api.pagination import page_schema
from backend.lib.ip import client_ip
from tenant_apps.shop.api import ShopApiView

from . import selectors, services
from .models import LocationKind, MovementKind, StockTakeStatus

TAGS = ["inventory"]
# Kinds a caller may post directly; transfers, adjustments and stocktake variances have their own
# operations (they pair movements, need a reason or come from a count).
POSTABLE_KINDS = [MovementKind.PURCHASE_RECEIPT, MovementKind.PURCHASE_RETURN, MovementKind.SALE, MovementKind.SALE_RETURN]


LOCATION_KINDS = "One of: " + ", ".join(LocationKind.values) + "."


class InventoryApiView(ShopApiView):
    """Stock of this shop; the caller's role must open the inventory section."""

    section = "inventory"


# --- locations ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="InventoryLocation")
class LocationOut(serializers.Serializer):
    id = serializers.IntegerField()
    # Plain strings, documented: two enums both named "kind" (location, movement) collide in the
    # schema until settings name them (ENUM_NAME_OVERRIDES).
    kind = serializers.CharField(help_text=LOCATION_KINDS)
    name = serializers.CharField()
    code = serializers.CharField()
    province_code = serializers.CharField()
    city_code = serializers.CharField()
    district_code = serializers.CharField()
    address_detail = serializers.CharField()
    phone = serializers.CharField()
    opening_hours = serializers.CharField()
    sells_online = serializers.BooleanField()
    does_pickup = serializers.BooleanField()
    is_active = serializers.BooleanField()
    priority = serializers.IntegerField(help_text="Allocation order for online reservations: lower first.")


@extend_schema_serializer(component_name="InventoryLocationInput")
class LocationIn(serializers.Serializer):
    kind = serializers.CharField(required=False, help_text=LOCATION_KINDS)

    def validate_kind(self, value):
        if value not in LocationKind.values:
            raise serializers.ValidationError(LOCATION_KINDS)
        return value

    name = serializers.CharField(max_length=60)
    code = serializers.CharField(max_length=32)
    province_code = serializers.CharField(max_length=6, required=False, allow_blank=True, help_text="GB/T 2260, 6 digits.")
    city_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    district_code = serializers.CharField(max_length=6, required=False, allow_blank=True)
    address_detail = serializers.CharField(max_length=200, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    opening_hours = serializers.CharField(max_length=200, required=False, allow_blank=True)
    sells_online = serializers.BooleanField(required=False)
    does_pickup = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class LocationListApi(InventoryApiView):
    @extend_schema(tags=TAGS, summary="List locations in allocation order", operation_id="inventory_locations_list",
                   responses={200: page_schema("PaginatedInventoryLocationList", LocationOut)})
    def get(self, request):
        return self.page(selectors.locations(), LocationOut)

    @extend_schema(tags=TAGS, summary="Add a warehouse or offline store", request=LocationIn,
                   description="Goes to the end of the allocation order. 409 when the code is taken.",
                   responses={201: LocationOut})
    def post(self, request):
        location = services.location_create(data=validated(LocationIn, request.data))
        return Response(LocationOut(location).data, status=status.HTTP_201_CREATED)


class LocationDetailApi(InventoryApiView):
    @extend_schema(tags=TAGS, summary="Change a location", request=LocationIn, responses={200: LocationOut})
    def patch(self, request, location_id: int):
        serializer = LocationIn(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        location = services.location_update(location_id=location_id, data=serializer.validated_data)
        return Response(LocationOut(location).data)


class LocationReorderApi(InventoryApiView):
    @extend_schema_serializer(component_name="InventoryLocationReorder")
    class Input(serializers.Serializer):
        ordered_ids = serializers.ListField(child=serializers.IntegerField(), help_text="Every location id once, first taken first.")

    @extend_schema(tags=TAGS, summary="Set the allocation order of locations", request=Input,
                   responses={200: LocationOut(many=True)})
    def post(self, request):
        rows = services.location_reorder(ordered_ids=validated(self.Input, request.data)["ordered_ids"])
        return Response(LocationOut(rows, many=True).data)


# --- balances and movements --------------------------------------------------------------------


@extend_schema_serializer(component_name="InventoryBalance")
class BalanceOut(serializers.Serializer):
    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField(source="sku.code")
    location_id = serializers.IntegerField()
    location_code = serializers.CharField(source="location.code")
    on_hand = serializers.IntegerField()
    reserved = serializers.IntegerField()
    available = serializers.IntegerField()


class BalanceListApi(InventoryApiView):
    @extend_schema(
        tags=TAGS, summary="Stock per SKU per location", operation_id="inventory_balances_list",
        parameters=[OpenApiParameter("sku", str, description="Part of a SKU code."),
                    OpenApiParameter("location", int), OpenApiParameter("in_stock", bool)],
        responses={200: page_schema("PaginatedInventoryBalanceList", BalanceOut)},
    )
    def get(self, request):
        q = request.query_params
        rows = selectors.balances(sku_code=q.get("sku", ""), location_id=_int(q.get("location")),
                                  only_in_stock=q.get("in_stock") in ("1", "true"))
        return self.page(rows, BalanceOut)


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@extend_schema_serializer(component_name="InventoryMovement")
class MovementOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    sku_id = serializers.IntegerField()
    location_id = serializers.IntegerField()
    quantity = serializers.IntegerField(help_text="Signed: + into the location, − out of it.")
    unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                          help_text="Sale price per unit (sales and sale returns); null when not known.")
    reference = serializers.CharField()
    reason = serializers.CharField()
    actor_user_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class MovementListApi(InventoryApiView):
    @extend_schema_serializer(component_name="InventoryMovementLine")
    class Line(serializers.Serializer):
        sku_id = serializers.IntegerField()
        location_id = serializers.IntegerField()
        quantity = serializers.IntegerField(min_value=1, help_text="Whole units; the kind gives the direction.")
        unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)
        unit_price = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True,
                                              help_text="Sale price per unit; sales and sale returns only.")

    @extend_schema_serializer(component_name="InventoryMovementBatch")
    class Input(serializers.Serializer):
        # A plain string: a second enum named "kind" would collide with the ledger's in the schema.
        kind = serializers.CharField(help_text="One of: " + ", ".join(POSTABLE_KINDS) + ".")

        def validate_kind(self, value):
            if value not in POSTABLE_KINDS:
                raise serializers.ValidationError("Choose one of: " + ", ".join(POSTABLE_KINDS) + ".")
            return value
        reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        lines = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=1000)

    @extend_schema(
        tags=TAGS, summary="The stock ledger (newest first)", operation_id="inventory_movements_list",
        parameters=[OpenApiParameter("sku", str), OpenApiParameter("location", int),
                    OpenApiParameter("kind", str, enum=MovementKind.values), OpenApiParameter("reference", str)],
        responses={200: page_schema("PaginatedInventoryMovementList", MovementOut)},
    )
    def get(self, request):
        q = request.query_params
        rows = selectors.movements(sku_code=q.get("sku", ""), location_id=_int(q.get("location")),
                                   kind=q.get("kind", ""), reference=q.get("reference", ""))
        return self.page(rows, MovementOut)

    @extend_schema(
        tags=TAGS, summary="Post a batch of movements (receipt, return, sale)",
        description="All lines or none. 409 insufficient_stock when on-hand would go negative or below "
        "what is reserved. Each line: sku_id, location_id, quantity (whole units ≥ 1), unit_cost (≤ 2 decimals), "
        "and for sales and sale returns unit_price (the sale price per unit, ≤ 2 decimals).",
        request=Input, responses={201: MovementOut(many=True)},
    )
    def post(self, request):
        data = validated(self.Input, request.data)
        lines = []
        for index, raw in enumerate(data["lines"]):
            line = self.Line(data=raw)
            if not line.is_valid():
                raise serializers.ValidationError({f"lines[{index}]": line.errors})
            v = line.validated_data
            sign = services.DIRECTION[data["kind"]]
            lines.append(services.MovementLine(v["sku_id"], v["location_id"], sign * v["quantity"], v.get("unit_cost"),
                                               v.get("unit_price")))
        movements = services.movement_post(lines=lines, kind=data["kind"], reference=data["reference"],
                                           actor_user_id=request.user.pk)
        return Response(MovementOut(movements, many=True).data, status=status.HTTP_201_CREATED)


class AdjustmentApi(InventoryApiView):
    @extend_schema_serializer(component_name="InventoryAdjustment")
    class Input(serializers.Serializer):
        sku_id = serializers.IntegerField()
        location_id = serializers.IntegerField()
        quantity = serializers.IntegerField(help_text="Signed whole units, not 0.")
        reason = serializers.CharField(max_length=200)
        unit_cost = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False, allow_null=True)

    @extend_schema(tags=TAGS, summary="Adjust stock with a reason (audited)", request=Input, responses={201: MovementOut})
    def post(self, request):
        data = validated(self.Input, request.data)
        movement = services.adjust(**data, actor=request.user, shop_id=request.tenant.pk, ip=client_ip(request))
        return Response(MovementOut(movement).data, status=status.HTTP_201_CREATED)


class TransferApi(InventoryApiView):
    @extend_schema_serializer(component_name="InventoryTransferItem")
    class Item(serializers.Serializer):
        sku_id = serializers.IntegerField()
        quantity = serializers.IntegerField(min_value=1)

    @extend_schema_serializer(component_name="InventoryTransfer")
    class Input(serializers.Serializer):
        from_location_id = serializers.IntegerField()
        to_location_id = serializers.IntegerField()
        reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
        reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        items = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=1000)

    @extend_schema(tags=TAGS, summary="Transfer stock between locations", request=Input,
                   responses={201: MovementOut(many=True)})
    def post(self, request):
        data = validated(self.Input, request.data)
        items = []
        for index, raw in enumerate(data.pop("items")):
            item = self.Item(data=raw)
            if not item.is_valid():
                raise serializers.ValidationError({f"items[{index}]": item.errors})
            items.append((item.validated_data["sku_id"], item.validated_data["quantity"]))
        movements = services.transfer(**data, items=items, actor_user_id=request.user.pk)
        return Response(MovementOut(movements, many=True).data, status=status.HTTP_201_CREATED)


# --- stocktakes --------------------------------------------------------------------------------


@extend_schema_serializer(component_name="InventoryStockTakeLine")
class StockTakeLineOut(serializers.Serializer):
    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField(source="sku.code")
    expected = serializers.IntegerField()
    counted = serializers.IntegerField(allow_null=True)
    variance = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="InventoryStockTake")
class StockTakeOut(serializers.Serializer):
    id = serializers.IntegerField()
    location_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=StockTakeStatus.choices)
    note = serializers.CharField()
    opened_at = serializers.DateTimeField()
    posted_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="InventoryStockTakeDetail")
class StockTakeDetailOut(StockTakeOut):
    lines = StockTakeLineOut(many=True, source="line_rows")


def _detail(take) -> dict:
    take.line_rows = list(take.lines.select_related("sku"))
    return StockTakeDetailOut(take).data


class StockTakeListApi(InventoryApiView):
    @extend_schema_serializer(component_name="InventoryStockTakeOpen")
    class Input(serializers.Serializer):
        location_id = serializers.IntegerField()
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(tags=TAGS, summary="List stocktakes", operation_id="inventory_stocktakes_list",
                   responses={200: page_schema("PaginatedInventoryStockTakeList", StockTakeOut)})
    def get(self, request):
        return self.page(selectors.stocktakes(), StockTakeOut)

    @extend_schema(tags=TAGS, summary="Open a stocktake of a location",
                   description="Snapshots the expected quantities. 409 while another count of the location is open.",
                   request=Input, responses={201: StockTakeDetailOut})
    def post(self, request):
        data = validated(self.Input, request.data)
        take = services.stocktake_open(**data, actor_user_id=request.user.pk)
        return Response(_detail(take), status=status.HTTP_201_CREATED)


class StockTakeDetailApi(InventoryApiView):
    @extend_schema(tags=TAGS, summary="Read a stocktake with its lines", responses={200: StockTakeDetailOut})
    def get(self, request, stocktake_id: int):
        take = selectors.stocktakes().filter(pk=stocktake_id).first()
        if take is None:
            raise NotFound("Unknown stocktake.")
        return Response(_detail(take))


class StockTakeCountApi(InventoryApiView):
    @extend_schema_serializer(component_name="InventoryStockTakeCount")
    class Input(serializers.Serializer):
        code = serializers.CharField(max_length=64, help_text="SKU code or barcode (GTIN).")
        quantity = serializers.IntegerField(min_value=0, required=False, allow_null=True)
        mode = serializers.ChoiceField(choices=["add", "set"], default="add",
                                       help_text="add: add quantity (default 1, one scan); set: the counted total.")

    @extend_schema(tags=TAGS, summary="Count a SKU by code or barcode", request=Input, responses={200: StockTakeLineOut})
    def post(self, request, stocktake_id: int):
        line = services.stocktake_count(stocktake_id=stocktake_id, **validated(self.Input, request.data))
        return Response(StockTakeLineOut(line).data)


class StockTakePostApi(InventoryApiView):
    @extend_schema(tags=TAGS, summary="Post a stocktake's variances",
                   description="Writes stocktake_variance movements once; 409 when already posted.",
                   request=None, responses={200: StockTakeDetailOut})
    def post(self, request, stocktake_id: int):
        services.stocktake_post(stocktake_id=stocktake_id, actor=request.user, shop_id=request.tenant.pk,
                                ip=client_ip(request))
        return Response(_detail(selectors.stocktakes().get(pk=stocktake_id)))


# --- low stock ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="InventoryThreshold")
class ThresholdOut(serializers.Serializer):
    sku_id = serializers.IntegerField()
    location_id = serializers.IntegerField(allow_null=True, help_text="None: the total over all locations.")
    threshold = serializers.IntegerField()


@extend_schema_serializer(component_name="InventoryLowStock")
class LowStockOut(serializers.Serializer):
    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    location_id = serializers.IntegerField(allow_null=True)
    location_name = serializers.CharField()
    threshold = serializers.IntegerField()
    on_hand = serializers.IntegerField()


class ThresholdListApi(InventoryApiView):
    @extend_schema_serializer(component_name="InventoryThresholdSet")
    class Input(serializers.Serializer):
        sku_id = serializers.IntegerField()
        location_id = serializers.IntegerField(required=False, allow_null=True, default=None)
        threshold = serializers.IntegerField(min_value=0, help_text="0 removes the threshold.")

    @extend_schema(tags=TAGS, summary="List low-stock thresholds", operation_id="inventory_thresholds_list",
                   responses={200: page_schema("PaginatedInventoryThresholdList", ThresholdOut)})
    def get(self, request):
        return self.page(selectors.thresholds(), ThresholdOut)

    @extend_schema(tags=TAGS, summary="Set a SKU's low-stock threshold", request=Input,
                   responses={200: ThresholdOut, 204: None})
    def post(self, request):
        row = services.threshold_set(**validated(self.Input, request.data))
        if row is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ThresholdOut(row).data)


class LowStockApi(InventoryApiView):
    @extend_schema(tags=TAGS, summary="SKUs below their low-stock threshold", responses={200: LowStockOut(many=True)})
    def get(self, request):
        return Response(LowStockOut(selectors.low_stock(), many=True).data)

