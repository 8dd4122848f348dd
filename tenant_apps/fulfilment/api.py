"""The fulfilment API at /api/v1/shop/fulfilment/ on the shop's host: the shop's sub-orders,
confirming, shipping (one parcel, or many orders at once), recording deliveries for carriers
without a feed, the pickup counter, and the carriers' tracking pushes.

One view per operation; the caller's role must open the "orders" section (no API token scope
opens it). The carrier endpoint is the exception: a carrier has no session and no token, the
signature of the push decides (see `carriers.sim`).
"""

from typing import ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import NotFound, ServiceError, error_body
from backend.api.pagination import Pagination, page_schema
from backend.lib.ip import client_ip
from shared_apps.orders import interface as orders
from shared_apps.orders.refund_api import RefundOut
from tenant_apps.shop.api import ShopApiView

from . import selectors, services
from .carriers import registry
from .carriers.base import WebhookRefused
from .interface import shipments_data

TAGS = ["fulfilment"]
MONEY = {"max_digits": 12, "decimal_places": 2}
SUB_ORDER_STATUSES = "One of: " + ", ".join(selectors.S.values) + "."


class FulfilmentApiView(ShopApiView):
    """The shop's orders and their fulfilment. Signed-in staff whose role opens the "orders"
    section (owner, manager, clerk, warehouse, customer service); API tokens are refused."""

    section = "orders"


def _fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as {"lines[0].quantity": [...]}: list items (which DRF reports as
    lists or as dicts keyed by index) in brackets, a list's own errors under its name."""
    if isinstance(detail, dict):
        out: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(key, int) or str(key).isdigit():
                name = f"{prefix}[{key}]"
            elif key == "non_field_errors" and prefix:
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.update(_fields(value, name))
        return out
    if isinstance(detail, list) and detail and all(isinstance(v, dict | list) for v in detail):
        out = {}
        for index, value in enumerate(detail):
            out.update(_fields(value, f"{prefix}[{index}]"))
        return out
    return {
        prefix or "non_field_errors": [
            str(v) for v in (detail if isinstance(detail, list) else [detail])
        ]
    }


def _valid(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        fields = _fields(serializer.errors)
        name, messages = next(iter(fields.items()))
        raise ServiceError(f"{name}: {messages[0]}", fields=fields)
    return serializer.validated_data


# --- output ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="FulfilmentOrderLine")
class LineOut(serializers.Serializer):
    id = serializers.IntegerField(help_text="The order line's id: what a parcel's lines name.")
    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    title = serializers.CharField()
    spec = serializers.JSONField(help_text="Spec attributes, such as colour and size.")
    unit_price = serializers.DecimalField(**MONEY)
    quantity = serializers.IntegerField()
    shipped_quantity = serializers.IntegerField(help_text="Units already in parcels.")
    goods_amount = serializers.DecimalField(**MONEY)
    shop_discount = serializers.DecimalField(**MONEY)
    platform_discount = serializers.DecimalField(**MONEY)
    payable_amount = serializers.DecimalField(**MONEY)


@extend_schema_serializer(component_name="FulfilmentTrackingEvent")
class EventOut(serializers.Serializer):
    code = serializers.CharField(
        help_text="One of: picked_up, in_transit, out_for_delivery, delivered, exception."
    )
    label = serializers.CharField()
    description = serializers.CharField(help_text="The carrier's own words.")
    location = serializers.CharField()
    occurred_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="FulfilmentShipmentLine")
class ShipmentLineOut(serializers.Serializer):
    order_line_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()


@extend_schema_serializer(component_name="FulfilmentShipment")
class ShipmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    carrier = serializers.CharField(help_text="A carrier code (GET carriers/).")
    carrier_name = serializers.CharField()
    tracking_number = serializers.CharField()
    status = serializers.CharField(
        help_text="From the tracking events: created, in_transit, delivered or exception."
    )
    status_label = serializers.CharField()
    shipped_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    lines = ShipmentLineOut(many=True)
    events = EventOut(many=True, help_text="Newest first.")


@extend_schema_serializer(component_name="FulfilmentOrder")
class OrderOut(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField(help_text=SUB_ORDER_STATUSES)
    status_label = serializers.CharField()
    delivery_method = serializers.CharField(help_text="express, expedited, same_city or pickup.")
    payment_mode = serializers.CharField(help_text="online or at_pickup.")
    requires_confirmation = serializers.BooleanField(
        help_text="The shop confirms paid orders before shipping."
    )
    goods_amount = serializers.DecimalField(**MONEY)
    shipping_amount = serializers.DecimalField(**MONEY)
    shop_discount = serializers.DecimalField(**MONEY)
    platform_discount = serializers.DecimalField(**MONEY)
    payable_amount = serializers.DecimalField(**MONEY)
    paid_amount = serializers.DecimalField(**MONEY)
    units_unshipped = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    lines = LineOut(many=True)


@extend_schema_serializer(component_name="FulfilmentAddress")
class AddressOut(serializers.Serializer):
    recipient_name = serializers.CharField()
    masked_phone = serializers.CharField()
    province_name = serializers.CharField()
    city_name = serializers.CharField()
    district_name = serializers.CharField()
    detail = serializers.CharField()
    postal_code = serializers.CharField()


@extend_schema_serializer(component_name="FulfilmentStatusChange")
class HistoryOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="FulfilmentOrderDetail")
class OrderDetailOut(OrderOut):
    buyer_note = serializers.CharField()
    invoice = serializers.JSONField(
        help_text='{} or {"kind": "personal"|"company", "title", "tax_number"}.'
    )
    address = AddressOut(allow_null=True, help_text="Delivery orders only.")
    pickup_location = serializers.JSONField(
        help_text="Pickup orders: the store's name and address."
    )
    history = HistoryOut(many=True)
    shipments = ShipmentOut(many=True)
    refunds = RefundOut(many=True)


def _line(progress) -> dict:
    line = progress.line
    return {
        "id": line.pk,
        "sku_id": line.sku_id,
        "sku_code": line.sku_code,
        "title": line.title,
        "spec": line.spec,
        "unit_price": line.unit_price,
        "quantity": line.quantity,
        "shipped_quantity": progress.shipped,
        "goods_amount": line.goods_amount,
        "shop_discount": line.shop_discount,
        "platform_discount": line.platform_discount,
        "payable_amount": line.payable_amount,
    }


def order_data(view) -> dict:
    sub = view.sub
    return {
        "number": sub.number,
        "status": sub.status,
        "status_label": str(sub.get_status_display()),
        "delivery_method": sub.delivery_method,
        "payment_mode": sub.payment_mode,
        "requires_confirmation": sub.requires_confirmation,
        "goods_amount": sub.goods_amount,
        "shipping_amount": sub.shipping_amount,
        "shop_discount": sub.shop_discount,
        "platform_discount": sub.platform_discount,
        "payable_amount": sub.payable_amount,
        "paid_amount": sub.paid_amount,
        "units_unshipped": view.remaining_units,
        "created_at": sub.created_at,
        "paid_at": sub.paid_at,
        "shipped_at": sub.shipped_at,
        "delivered_at": sub.delivered_at,
        "completed_at": sub.completed_at,
        "lines": [_line(p) for p in view.lines],
    }


def order_detail_data(view) -> dict:
    sub = view.sub
    return {
        **order_data(view),
        "buyer_note": sub.buyer_note,
        "invoice": sub.invoice or {},
        "address": view.address,
        "pickup_location": sub.pickup_location or {},
        "history": [
            {
                "from_status": h.from_status,
                "to_status": h.to_status,
                "reason": h.reason,
                "created_at": h.created_at,
            }
            for h in sub.status_changes.all()
        ],
        "shipments": [shipments_data(parcel) for parcel in view.shipments],
        "refunds": orders.refunds_of([sub]).get(sub.pk, []),
    }


def _detail_response(shop_id: int, number: str) -> Response:
    view = selectors.order_view(shop_id=shop_id, number=number)
    if view is None:
        raise NotFound(_("No such order in this shop."))
    return Response(OrderDetailOut(order_detail_data(view)).data)


# --- orders ------------------------------------------------------------------------------------


class OrderListApi(FulfilmentApiView):
    @extend_schema(
        tags=TAGS,
        summary="List the shop's orders (sub-orders), newest first",
        operation_id="fulfilment_orders_list",
        parameters=[
            OpenApiParameter("status", str, description=SUB_ORDER_STATUSES),
            OpenApiParameter(
                "q", str, description="Start of an order number, or a whole SKU code."
            ),
        ],
        responses={200: page_schema("PaginatedFulfilmentOrderList", OrderOut)},
    )
    def get(self, request):
        rows = selectors.sub_orders(
            shop_id=request.tenant.pk,
            status=request.query_params.get("status", ""),
            search=request.query_params.get("q", ""),
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(
            OrderOut([order_data(v) for v in selectors.order_views(page)], many=True).data
        )


class OrderDetailApi(FulfilmentApiView):
    @extend_schema(
        tags=TAGS,
        summary="Read one order with its parcels and history",
        operation_id="fulfilment_orders_retrieve",
        responses={200: OrderDetailOut},
    )
    def get(self, request, number: str):
        return _detail_response(request.tenant.pk, number)


class OrderConfirmApi(FulfilmentApiView):
    @extend_schema(
        tags=TAGS,
        summary="Confirm a paid order (shops that confirm before shipping)",
        description="409 when the order is not paid, or already confirmed.",
        operation_id="fulfilment_orders_confirm",
        request=None,
        responses={200: OrderDetailOut},
    )
    def post(self, request, number: str):
        services.sub_order_confirm(
            shop_id=request.tenant.pk, number=number, actor_user_id=request.user.pk
        )
        return _detail_response(request.tenant.pk, number)


# --- shipments ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="FulfilmentShipmentLineInput")
class ShipLineIn(serializers.Serializer):
    order_line_id = serializers.IntegerField()
    quantity = serializers.IntegerField(min_value=1)


class ShipmentCreateApi(FulfilmentApiView):
    @extend_schema_serializer(component_name="FulfilmentShipmentCreate")
    class Input(serializers.Serializer):
        carrier = serializers.CharField(max_length=16, help_text="A carrier code (GET carriers/).")
        tracking_number = serializers.CharField(
            max_length=60,
            required=False,
            allow_blank=True,
            default="",
            help_text="4 to 40 letters, digits or dashes. Leave empty with a carrier that issues waybills.",
        )
        lines = ShipLineIn(
            many=True,
            required=False,
            help_text="Order lines and units in this parcel; leave out to ship all that is left.",
        )

    @extend_schema(
        tags=TAGS,
        summary="Ship a parcel of an order",
        operation_id="fulfilment_shipments_create",
        description="The first parcel moves the order to shipped. 409 when the order is not paid, needs "
        "confirming, is a pickup order, when units exceed what remains unshipped (`over_shipped`) or the "
        "tracking number is on another parcel. Two staff shipping the same lines at once: one wins, the "
        "other gets 409.",
        request=Input,
        responses={201: ShipmentOut},
    )
    def post(self, request, number: str):
        data = _valid(self.Input, request.data)
        lines = data.get("lines")
        shipment = services.shipment_create(
            shop=request.tenant,
            number=number,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            lines=None
            if lines is None
            else [services.ShipLine(x["order_line_id"], x["quantity"]) for x in lines],
            actor_user_id=request.user.pk,
        )
        parcel = selectors.shipments([shipment.sub_order_number]).get(pk=shipment.pk)
        return Response(ShipmentOut(shipments_data(parcel)).data, status=status.HTTP_201_CREATED)


@extend_schema_serializer(component_name="FulfilmentError")
class ErrorOut(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


@extend_schema_serializer(component_name="FulfilmentBulkShipRow")
class BulkRowIn(serializers.Serializer):
    number = serializers.CharField(max_length=24)
    carrier = serializers.CharField(max_length=16)
    tracking_number = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default=""
    )


class ShipmentBulkApi(FulfilmentApiView):
    @extend_schema_serializer(component_name="FulfilmentBulkShip")
    class Input(serializers.Serializer):
        rows = BulkRowIn(many=True, min_length=1, max_length=services.MAX_BULK_ROWS)

    @extend_schema_serializer(component_name="FulfilmentBulkShipResult")
    class Result(serializers.Serializer):
        number = serializers.CharField()
        shipped = serializers.BooleanField()
        shipment = ShipmentOut(allow_null=True)
        error = ErrorOut(allow_null=True)

    @extend_schema(
        tags=TAGS,
        summary="Ship several orders at once, each whole in one parcel",
        operation_id="fulfilment_shipments_bulk_create",
        description="Each row ships all that is left of its order and succeeds or fails on its own: the "
        "answer is 200 with one result per row, in order (`shipped` and the parcel, or the error). "
        "At most 100 rows; an order may appear once.",
        request=Input,
        responses={200: Result(many=True)},
    )
    def post(self, request):
        rows = [services.BulkRow(**row) for row in _valid(self.Input, request.data)["rows"]]
        outcomes = services.shipments_bulk_create(
            shop=request.tenant, rows=rows, actor_user_id=request.user.pk
        )
        parcels = {p.pk: p for p in selectors.shipments([o.number for o in outcomes if o.shipment])}
        results = [
            {
                "number": o.number,
                "shipped": o.shipment is not None,
                "shipment": shipments_data(parcels[o.shipment.pk]) if o.shipment else None,
                "error": {
                    "code": o.error.code,
                    "message": o.error.message,
                    "fields": o.error.fields,
                }
                if o.error
                else None,
            }
            for o in outcomes
        ]
        return Response(self.Result(results, many=True).data)


class ShipmentDeliveredApi(FulfilmentApiView):
    @extend_schema(
        tags=TAGS,
        summary="Record that a parcel arrived (carriers without a tracking feed)",
        operation_id="fulfilment_shipments_mark_delivered",
        description="For parcels handed to a carrier the mall has no feed from; carriers with a feed report "
        "deliveries themselves (409). Once every parcel of a fully shipped order arrived, the order is "
        "delivered. Repeating it changes nothing.",
        request=None,
        responses={200: ShipmentOut},
    )
    def post(self, request, shipment_id: int):
        shipment = services.shipment_mark_delivered(
            shop_id=request.tenant.pk, shipment_id=shipment_id, actor_user_id=request.user.pk
        )
        parcel = selectors.shipments([shipment.sub_order_number]).get(pk=shipment.pk)
        return Response(ShipmentOut(shipments_data(parcel)).data)


@extend_schema_serializer(component_name="FulfilmentCarrier")
class CarrierOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    tracks = serializers.BooleanField(
        help_text="Pushes tracking events: its parcels are delivered by its feed."
    )
    issues_waybills = serializers.BooleanField(
        help_text="Gives a tracking number when none is typed."
    )


class CarrierListApi(FulfilmentApiView):
    @extend_schema(
        tags=TAGS,
        summary="List the carriers parcels can be sent with",
        operation_id="fulfilment_carriers_list",
        responses={200: CarrierOut(many=True)},
    )
    def get(self, request):
        return Response(
            CarrierOut(
                [
                    {
                        "code": c.code,
                        "name": str(c.name),
                        "tracks": c.tracks,
                        "issues_waybills": c.issues_waybills,
                    }
                    for c in registry.all()
                ],
                many=True,
            ).data
        )


# --- pickup ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="FulfilmentPickupOrder")
class PickupOrderOut(OrderOut):
    pickup_location = serializers.JSONField(help_text="The store's name and address.")
    buyer_note = serializers.CharField()
    can_take_payment = serializers.BooleanField(help_text="Pay at pickup and not paid yet.")
    can_hand_over = serializers.BooleanField()


def _pickup_response(sub) -> Response:
    view = selectors.order_views([sub])[0]
    unpaid = sub.status == selectors.S.PENDING_PAYMENT
    return Response(
        PickupOrderOut(
            {
                **order_data(view),
                "pickup_location": sub.pickup_location or {},
                "buyer_note": sub.buyer_note,
                "can_take_payment": unpaid and sub.payment_mode == orders.PaymentMode.AT_PICKUP,
                "can_hand_over": sub.status in (selectors.S.PAID, selectors.S.CONFIRMED),
            }
        ).data
    )


class PickupVerifyApi(FulfilmentApiView):
    @extend_schema_serializer(component_name="FulfilmentPickupVerify")
    class Input(serializers.Serializer):
        number = serializers.CharField(
            max_length=40, help_text="The order number (typed or scanned)."
        )
        code = serializers.CharField(
            max_length=16, help_text="The 6-digit pickup code the buyer shows."
        )

    @extend_schema(
        tags=TAGS,
        summary="Check a buyer's pickup code at the store",
        operation_id="fulfilment_pickup_verify",
        description="A match returns the order and, for 15 minutes, lets the caller take its payment and hand "
        "it over. A wrong number or code is 400 `wrong_pickup_code` (recorded and audited); after 5 wrong "
        "codes for one order, or 10 by one staff member, within 15 minutes, 429 `pickup_tries_exhausted`.",
        request=Input,
        responses={200: PickupOrderOut},
    )
    def post(self, request):
        data = _valid(self.Input, request.data)
        sub = services.pickup_verify(
            shop_id=request.tenant.pk,
            number=data["number"],
            code=data["code"],
            actor=request.user,
            ip=client_ip(request),
        )
        return _pickup_response(sub)


class PickupPaymentApi(FulfilmentApiView):
    @extend_schema_serializer(component_name="FulfilmentPickupPayment")
    class Input(serializers.Serializer):
        note = serializers.CharField(
            max_length=200,
            required=False,
            allow_blank=True,
            default="",
            help_text="E.g. how the buyer paid (cash, card).",
        )

    @extend_schema(
        tags=TAGS,
        summary="Take the payment of a pay-at-pickup order at the counter",
        operation_id="fulfilment_pickup_take_payment",
        description="Needs the pickup code checked by the caller in the last 15 minutes (403 otherwise). "
        "409 for an order paid online. An order already paid is returned unchanged.",
        request=Input,
        responses={200: PickupOrderOut},
    )
    def post(self, request, number: str):
        data = _valid(self.Input, request.data)
        sub = services.pickup_take_payment(
            shop_id=request.tenant.pk, number=number, actor=request.user, note=data["note"]
        )
        return _pickup_response(sub)


class PickupHandOverApi(FulfilmentApiView):
    @extend_schema(
        tags=TAGS,
        summary="Hand a pickup order over to the buyer",
        operation_id="fulfilment_pickup_hand_over",
        description="Completes the order. Needs the pickup code checked by the caller in the last 15 minutes "
        "(403 otherwise); 409 while a pay-at-pickup order is unpaid or when it was handed over already.",
        request=None,
        responses={200: PickupOrderOut},
    )
    def post(self, request, number: str):
        sub = services.pickup_hand_over(
            shop_id=request.tenant.pk, number=number, actor=request.user
        )
        return _pickup_response(selectors.sub_order(shop_id=request.tenant.pk, number=sub.number))


# --- carriers' tracking pushes -----------------------------------------------------------------


@extend_schema_serializer(component_name="FulfilmentCarrierEvent")
class CarrierEventIn(serializers.Serializer):
    event_id = serializers.CharField(
        max_length=64, help_text="The same on every retry of one event."
    )
    tracking_number = serializers.CharField(max_length=40)
    code = serializers.CharField(
        help_text="picked_up, in_transit, out_for_delivery, delivered or exception."
    )
    description = serializers.CharField(max_length=200)
    location = serializers.CharField(max_length=100)
    occurred_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="FulfilmentCarrierEventsReceived")
class CarrierEventsOut(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="Events newly recorded (0 for a replay).")


class CarrierEventsApi(APIView):
    """No session, no CSRF, no token: the carrier signs each push (HMAC-SHA256 over timestamp and
    body, see carriers.sim). It is served on each shop's host, so the tracking number is looked
    up in that shop's schema only; the callback URL is handed to the carrier with each tracking
    registration."""

    authentication_classes: ClassVar[list] = []
    parser_classes: ClassVar[list] = [JSONParser]  # documented only: the adapter reads the raw body
    permission_classes: ClassVar[list] = [AllowAny]
    throttle_classes: ClassVar[list] = []

    @extend_schema(
        tags=TAGS,
        summary="Receive a carrier's tracking push (called by the carrier)",
        operation_id="fulfilment_carrier_events_receive",
        auth=[],
        parameters=[
            OpenApiParameter(
                "X-Sim-Timestamp",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Unix seconds; within 5 minutes of now.",
            ),
            OpenApiParameter(
                "X-Sim-Signature",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="`v1=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>`.",
            ),
        ],
        description="For the simulated carrier (`sim`). 401 for a missing or wrong signature or an old "
        "timestamp, 400 for an unreadable body, 404 for a tracking number not in this shop; a replayed event "
        "is 200 with `recorded: 0`.",
        request=CarrierEventIn,
        responses={200: CarrierEventsOut},
    )
    def post(self, request, carrier: str):
        adapter = registry.get(carrier)
        if adapter is None or not adapter.tracks:
            return Response(error_body("not_found", "No such carrier feed."), status=404)
        try:
            events = adapter.parse_webhook(body=request.body, headers=request.headers)
        except WebhookRefused as exc:
            return Response(error_body(exc.code, str(exc)), status=exc.status_code)
        recorded = 0
        for event in events:
            recorded += services.tracking_event_record(
                shop_id=request.tenant.pk, carrier=adapter.code, event=event
            )
        return Response(CarrierEventsOut({"recorded": recorded}).data)
