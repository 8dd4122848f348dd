"""The comparison engine's API on the mall host (/api/v1/…): a product with every shop's offer and
shipping to a region, its price history, the compare table, and the signed-in shopper's price
alerts and notifications.

Products and comparisons are public. Alerts and notifications are the caller's own: another
shopper's id is a 404, like a missing one. Bad input is a 400 naming the field; nothing is
written then.
"""

from __future__ import annotations

from typing import ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import NotFound, validated
from backend.api.pagination import named_page_response, page_schema
from backend.views import media_url

from . import alerts, compare, notifications, product, selectors

TAGS = ["comparison"]
MONEY = {"max_digits": 12, "decimal_places": 2}


# --- output ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ComparisonGroup")
class GroupOut(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    brand = serializers.CharField()
    model = serializers.CharField()
    category_id = serializers.IntegerField(allow_null=True)
    standard_product_id = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="ComparisonDeliveryOption")
class DeliveryOptionOut(serializers.Serializer):
    method = serializers.CharField(help_text="express, expedited or same_city.")
    amount = serializers.DecimalField(**MONEY)
    free_reason = serializers.CharField(help_text='"" or why it is free: threshold, rule.')


@extend_schema_serializer(component_name="ComparisonPickupPlace")
class PickupPlaceOut(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()
    city_code = serializers.CharField()


@extend_schema_serializer(component_name="ComparisonOffer")
class OfferOut(serializers.Serializer):
    offer_id = serializers.IntegerField(source="offer.offer_id")
    shop_id = serializers.IntegerField(source="offer.shop_id")
    shop_name = serializers.CharField(source="offer.shop_name")
    shop_url = serializers.CharField(help_text="The offer's product page in its shop.")
    shop_rating = serializers.DecimalField(source="offer.shop_rating", max_digits=3, decimal_places=2,
                                           allow_null=True, help_text="0.00–5.00; null: no rating yet.")
    shop_rating_count = serializers.IntegerField(source="offer.shop_rating_count")
    product_id = serializers.IntegerField(source="offer.product_id")
    sku_id = serializers.IntegerField(source="offer.sku_id")
    title = serializers.CharField(source="offer.title")
    spec = serializers.DictField(source="offer.spec")
    image_url = serializers.SerializerMethodField()
    price = serializers.DecimalField(source="offer.price", **MONEY)
    member_price = serializers.DecimalField(source="offer.member_price", allow_null=True, **MONEY)
    stock_state = serializers.CharField(source="offer.stock_state", help_text="in_stock, low or out.")
    in_stock = serializers.BooleanField(source="offer.in_stock")
    shipping_quoted = serializers.BooleanField(source="delivery.quoted", help_text=(
        "false: shipping was not priced (no region given, or the group is too large to price every offer, or the "
        "shop could not price it); then `shipping` and `delivery` mean nothing."))
    shipping = serializers.DecimalField(allow_null=True, help_text="The cheapest delivery's fee to the region; null: "
                                        "not priced or not delivered there.", **MONEY)
    total = serializers.DecimalField(allow_null=True, help_text="price + shipping.", **MONEY)
    delivery = DeliveryOptionOut(many=True, source="delivery.options", help_text="Methods reaching the region, "
                                 "cheapest first. The shops' freight data carries no delivery times.")
    pickup = PickupPlaceOut(many=True, source="delivery.pickup", help_text="Where it can be picked up; empty: no pickup.")

    def get_image_url(self, row) -> str:
        return media_url(row.offer.image) if row.offer.image else ""


@extend_schema_serializer(component_name="ComparisonReferencePrice")
class ReferenceOut(serializers.Serializer):
    source = serializers.CharField()
    title = serializers.CharField()
    price = serializers.DecimalField(allow_null=True, **MONEY)
    sales_count = serializers.IntegerField(allow_null=True)
    seller = serializers.CharField()
    url = serializers.CharField()
    collected_at = serializers.DateTimeField(allow_null=True)
    sold_here = serializers.SerializerMethodField(help_text="Always false: a reference price seen outside the mall.")

    def get_sold_here(self, row) -> bool:
        return False


@extend_schema_serializer(component_name="ComparisonProduct")
class ProductOut(serializers.Serializer):
    group = GroupOut()
    region = serializers.CharField(help_text='The district shipping is priced to; "" when none.')
    lowest_price = serializers.DecimalField(allow_null=True, help_text="In-stock offers only.", **MONEY)
    shop_count = serializers.IntegerField()
    offers = OfferOut(many=True, source="rows", help_text="In stock first, then by total cost (by price without a "
                      "region).")
    references = ReferenceOut(many=True, help_text="Outside reference prices: not sold here.")


@extend_schema_serializer(component_name="ComparisonPricePoint")
class PricePointOut(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField(help_text="change or daily (snapshot); the first point may be the one before the "
                                 "period, moved to its start.")
    lowest_price = serializers.DecimalField(allow_null=True, help_text="null: nothing in stock.", **MONEY)
    offer_count = serializers.IntegerField()


@extend_schema_serializer(component_name="ComparisonPriceHistory")
class HistoryOut(serializers.Serializer):
    group_id = serializers.IntegerField()
    days = serializers.IntegerField()
    points = PricePointOut(many=True)


@extend_schema_serializer(component_name="ComparisonCompareColumn")
class ColumnOut(serializers.Serializer):
    group = GroupOut()
    lowest_price = serializers.DecimalField(allow_null=True, **MONEY)
    shop_count = serializers.IntegerField()
    offer_count = serializers.IntegerField()
    rating = serializers.DecimalField(max_digits=3, decimal_places=2, allow_null=True,
                                      help_text="The shops' ratings weighted by their counts; null: no rating yet.")
    rating_count = serializers.IntegerField()


@extend_schema_serializer(component_name="ComparisonCompareRow")
class RowOut(serializers.Serializer):
    code = serializers.CharField(help_text="The attribute's code (or a SKU spec name without a template).")
    label = serializers.CharField()
    unit = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField(), help_text="One per group, in the groups' order; "
                                   '"" when unknown.')
    differs = serializers.BooleanField()


@extend_schema_serializer(component_name="ComparisonCompare")
class CompareOut(serializers.Serializer):
    columns = ColumnOut(many=True)
    rows = RowOut(many=True)


@extend_schema_serializer(component_name="ComparisonPriceAlert")
class AlertOut(serializers.Serializer):
    id = serializers.IntegerField()
    group_id = serializers.IntegerField()
    group_title = serializers.CharField(source="group.title")
    target_price = serializers.DecimalField(**MONEY)
    status = serializers.CharField(help_text="armed (watching) or triggered (notified; re-arm to watch again).")
    triggered_at = serializers.DateTimeField(allow_null=True)
    triggered_price = serializers.DecimalField(allow_null=True, **MONEY)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="ComparisonNotification")
class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="price_drop.")
    message = serializers.CharField()
    url = serializers.CharField(help_text='The product page on the mall host; "" when it is gone.')
    group_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationRowOut(NotificationOut):
    """A notification row as paged (the same fields, read through `notifications.view_of`)."""

    def to_representation(self, instance):
        return super().to_representation(notifications.view_of(instance))


# --- products and comparisons ------------------------------------------------------------------


class Public(APIView):
    permission_classes: ClassVar[list] = [permissions.AllowAny]


def _visible(group_id: int) -> None:
    if not selectors.group_visible(group_id):
        raise NotFound(_("No such product."))


class ProductApi(Public):
    class Input(serializers.Serializer):
        region = serializers.CharField(required=False, allow_blank=True, max_length=12, help_text=(
            "A district code (GB/T 2260, 6 digits) to price shipping to. Without it: the signed-in shopper's "
            "default address, else none."))

    @extend_schema(tags=TAGS, operation_id="comparison_product_retrieve", parameters=[Input],
                   summary="A product with every shop's offer", responses={200: ProductOut},
                   description="Every active shop's listed offer of the comparison group with price, shipping to "
                               "`region` (the cheapest method; shipping is cached for two minutes), total, stock, "
                               "shop rating and pickup places, plus outside reference prices (not sold here). 404 "
                               "for an unknown group or one no active shop offers; 400 for a bad `region`.")
    def get(self, request, group_id: int):
        params = validated(self.Input, request.query_params)
        if "region" in params:
            region = product.region_checked(params["region"])
        else:
            region = product.default_region(request.user)
        return Response(ProductOut(product.product_view(group_id, region=region)).data)


class PriceHistoryApi(Public):
    class Input(serializers.Serializer):
        days = serializers.IntegerField(required=False, default=90, min_value=1, max_value=730)

    @extend_schema(tags=TAGS, operation_id="comparison_price_history", parameters=[Input],
                   summary="A product's lowest price over time", responses={200: HistoryOut},
                   description="The points of the last `days` days (default 90), oldest first: a `change` point "
                               "when the lowest in-stock price of an active shop moved, and one `daily` snapshot "
                               "a day. The first point may be the one before the period, dated at its start.")
    def get(self, request, group_id: int):
        params = validated(self.Input, request.query_params)
        _visible(group_id)
        points = selectors.price_history(group_id, days=params["days"])
        return Response(HistoryOut({"group_id": group_id, "days": params["days"], "points": points}).data)


class CompareApi(Public):
    @extend_schema(tags=TAGS, operation_id="comparison_compare", summary="Compare 2–4 products side by side",
                   parameters=[OpenApiParameter("g", int, many=True, explode=True, required=True,
                                                description="A comparison group's id; give 2 to 4 (g=1&g=2).")],
                   responses={200: CompareOut},
                   description="Their typed spec attributes (names and units from the category's attribute "
                               "templates), lowest price, shop count and rating; `differs` marks rows whose values "
                               "are not all the same. 400 for fewer than two or more than four ids or one that is "
                               "not a number; 404 naming unknown ids.")
    def get(self, request):
        ids = compare.compare_ids(request.query_params.getlist("g"))
        return Response(CompareOut(compare.comparison(ids)).data)


# --- price alerts ------------------------------------------------------------------------------


class AlertListApi(APIView):
    @extend_schema_serializer(component_name="ComparisonPriceAlertInput")
    class Input(serializers.Serializer):
        group_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The product (group) to watch.")
        target_price = serializers.CharField(max_length=20, help_text="Above 0, at most two decimals, and below the "
                                             "lowest price now.")

    @extend_schema(tags=TAGS, operation_id="comparison_price_alerts_list", summary="My price alerts",
                   responses={200: page_schema("ComparisonPriceAlertPage", AlertOut)})
    def get(self, request):
        return named_page_response(self, request, alerts.alerts_of(request.user.pk).select_related("group"), AlertOut)

    @extend_schema(tags=TAGS, operation_id="comparison_price_alert_create", summary="Watch a product's price",
                   request=Input, responses={201: AlertOut, 200: AlertOut},
                   description="One alert per product: posting again for the same product replaces the target "
                               "(200; a fired alert watches again). 201 for a new one. 400 naming `target_price` "
                               "for zero, a negative or malformed amount, or a target at or above the lowest price "
                               "now; 404 for an unknown product; 409 `too_many_alerts` past 100.")
    def post(self, request):
        data = validated(self.Input, request.data)
        alert, created = alerts.price_alert_set(user=request.user, group_id=data["group_id"],
                                                target_price=data["target_price"])
        alert.refresh_from_db()
        return Response(AlertOut(alert).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AlertDetailApi(APIView):
    @extend_schema_serializer(component_name="ComparisonPriceAlertUpdateInput")
    class Input(serializers.Serializer):
        target_price = serializers.CharField(required=False, max_length=20)
        rearm = serializers.BooleanField(required=False, default=False,
                                         help_text="Watch again after the alert fired (a new target does it too).")

    @extend_schema(tags=TAGS, operation_id="comparison_price_alert_retrieve", summary="One of my price alerts",
                   responses={200: AlertOut})
    def get(self, request, alert_id: int):
        alert = alerts.alerts_of(request.user.pk).select_related("group").filter(pk=alert_id).first()
        if alert is None:
            raise NotFound(_("No such price alert."))
        return Response(AlertOut(alert).data)

    @extend_schema(tags=TAGS, operation_id="comparison_price_alert_update", summary="Change the target or re-arm",
                   request=Input, responses={200: AlertOut},
                   description="400 when neither is given or the target is invalid; 404 for another shopper's "
                               "alert.")
    def patch(self, request, alert_id: int):
        data = validated(self.Input, request.data)
        alert = alerts.price_alert_update(user=request.user, alert_id=alert_id,
                                          target_price=data.get("target_price"), rearm=data["rearm"])
        alert.refresh_from_db()
        return Response(AlertOut(alert).data)

    @extend_schema(tags=TAGS, operation_id="comparison_price_alert_delete", summary="Stop watching",
                   responses={204: None})
    def delete(self, request, alert_id: int):
        alerts.price_alert_delete(user=request.user, alert_id=alert_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- notifications -----------------------------------------------------------------------------


class NotificationListApi(APIView):
    class Input(serializers.Serializer):
        unread = serializers.BooleanField(required=False, default=False, help_text="Only the unread ones.")

    @extend_schema(tags=TAGS, operation_id="comparison_notifications_list", summary="My notifications",
                   parameters=[Input], responses={200: page_schema("ComparisonNotificationPage", NotificationOut)},
                   description="Newest first.")
    def get(self, request):
        params = validated(self.Input, request.query_params)
        rows = notifications.notifications_of(request.user.pk, unread_only=params["unread"])
        return named_page_response(self, request, rows, NotificationRowOut)


class NotificationUnreadApi(APIView):
    @extend_schema(tags=TAGS, operation_id="comparison_notifications_unread_count", summary="How many are unread",
                   responses={200: inline_serializer("ComparisonUnreadCount", {"unread": serializers.IntegerField()})})
    def get(self, request):
        return Response({"unread": notifications.unread_count(request.user.pk)})


class NotificationReadApi(APIView):
    @extend_schema(tags=TAGS, operation_id="comparison_notification_read", summary="Mark one notification read",
                   request=None, responses={200: NotificationOut}, description="404 for another shopper's.")
    def post(self, request, notification_id: int):
        row = notifications.notification_mark_read(user=request.user, notification_id=notification_id)
        return Response(NotificationOut(notifications.view_of(row)).data)


class NotificationReadAllApi(APIView):
    @extend_schema(tags=TAGS, operation_id="comparison_notifications_read_all", summary="Mark all read",
                   request=None,
                   responses={200: inline_serializer("ComparisonMarkedRead", {"marked": serializers.IntegerField()})})
    def post(self, request):
        return Response({"marked": notifications.notifications_mark_all_read(user=request.user)})
