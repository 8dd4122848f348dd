"""Checkout and order API on the mall host (/api/v1/checkout/…, /api/v1/orders/…): the signed-in
shopper's side. Shops read their sub-orders on their own host (tenant_apps/fulfilment);
operators on the ops host."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import NotFound
from backend.api.pagination import page_schema, paginated_response
from backend.views import media_url

from . import checkout, selectors, services
from .models import OrderStatus
from .refund_api import RefundOut

TAGS = ["orders"]


class CheckoutIn(serializers.Serializer):
    class ShopChoice(serializers.Serializer):
        shop_id = serializers.IntegerField()
        delivery_method = serializers.ChoiceField(choices=["express", "expedited", "same_city", "pickup"])
        pickup_location_id = serializers.IntegerField(required=False, allow_null=True)
        payment_mode = serializers.ChoiceField(choices=["online", "at_pickup"], required=False)
        coupon = serializers.CharField(required=False, allow_blank=True)
        invoice = serializers.DictField(required=False, help_text='{"kind": "personal"|"company", "title", "tax_number"}')
        note = serializers.CharField(required=False, allow_blank=True)

    client_token = serializers.CharField(help_text="new for each order; the same token again returns the same order")
    address_id = serializers.IntegerField(required=False, allow_null=True)
    provider = serializers.CharField(required=False, help_text="sandbox (default), alipay, wechat")
    platform_coupon = serializers.CharField(required=False, allow_blank=True)
    shops = ShopChoice(many=True)


class QuoteLineOut(serializers.Serializer):
    sku_id = serializers.IntegerField()
    quantity = serializers.IntegerField()
    title = serializers.CharField(source="sellable.title")
    unit_price = serializers.DecimalField(source="sellable.sale_price", max_digits=12, decimal_places=2)
    goods = serializers.DecimalField(max_digits=14, decimal_places=2)
    shop_discount = serializers.DecimalField(max_digits=14, decimal_places=2)
    platform_discount = serializers.DecimalField(max_digits=14, decimal_places=2)
    payable = serializers.DecimalField(max_digits=14, decimal_places=2)


class QuoteShopOut(serializers.Serializer):
    shop_id = serializers.IntegerField(source="shop.pk")
    shop_name = serializers.CharField(source="shop.name")
    delivery_method = serializers.CharField()
    payment_mode = serializers.CharField()
    goods = serializers.DecimalField(max_digits=14, decimal_places=2)
    shipping = serializers.DecimalField(max_digits=14, decimal_places=2)
    shop_discount = serializers.DecimalField(max_digits=14, decimal_places=2)
    platform_discount = serializers.DecimalField(max_digits=14, decimal_places=2)
    payable = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = QuoteLineOut(many=True)


class QuoteOut(serializers.Serializer):
    shops = QuoteShopOut(many=True)
    goods = serializers.SerializerMethodField()
    shipping = serializers.SerializerMethodField()
    discount = serializers.SerializerMethodField()
    payable = serializers.SerializerMethodField()
    online_amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    def get_goods(self, plan) -> str:
        return str(plan.total("goods"))

    def get_shipping(self, plan) -> str:
        return str(plan.total("shipping"))

    def get_discount(self, plan) -> str:
        return str(plan.total("shop_discount") + plan.total("platform_discount"))

    def get_payable(self, plan) -> str:
        return str(plan.total("payable"))


class LineOut(serializers.Serializer):
    id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    title = serializers.CharField()
    spec = serializers.DictField()
    image_url = serializers.SerializerMethodField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    goods_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shop_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    platform_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    payable_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunded_amount = serializers.DecimalField(max_digits=12, decimal_places=2)

    def get_image_url(self, line) -> str:
        return media_url(line.image) if line.image else ""


class SubOrderOut(serializers.Serializer):
    number = serializers.CharField()
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField(source="shop.name")
    status = serializers.CharField()
    delivery_method = serializers.CharField()
    payment_mode = serializers.CharField()
    pickup_location = serializers.DictField()
    pickup_code = serializers.CharField()
    goods_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shop_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    platform_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    payable_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    paid_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunded_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    invoice = serializers.DictField()
    lines = LineOut(many=True)
    refunds = RefundOut(many=True, source="refunds.all")


def _awaits_payment(order) -> bool:
    return order.status == OrderStatus.PENDING_PAYMENT and bool(order.online_amount)


def _pay_urls(orders) -> dict[str, str]:
    from shared_apps.payments.interface import pay_urls

    return pay_urls(numbers=[o.number for o in orders if _awaits_payment(o)])


class OrderListOut(serializers.ListSerializer):
    """A page of orders reads its pay URLs in one query."""

    def to_representation(self, data):
        orders = list(data.all() if hasattr(data, "all") else data)
        self.child.pay_urls = _pay_urls(orders)
        return super().to_representation(orders)


class OrderOut(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    goods_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shipping_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    shop_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    platform_discount = serializers.DecimalField(max_digits=12, decimal_places=2)
    payable_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    online_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    payment_provider = serializers.CharField()
    pay_url = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField()
    paid_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    sub_orders = SubOrderOut(many=True)

    class Meta:
        list_serializer_class = OrderListOut

    def get_pay_url(self, order) -> str:
        """Where to pay while the order is unpaid; "" otherwise."""
        if not _awaits_payment(order):
            return ""
        urls = getattr(self, "pay_urls", None)
        if urls is None:
            urls = _pay_urls([order])
        return urls.get(order.number, "")


def _body(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


class CheckoutQuoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, operation_id="checkout_quote", request=CheckoutIn, responses=QuoteOut,
                   description="What the order would be (prices, shipping, discounts), without placing it.")
    def post(self, request):
        return Response(QuoteOut(checkout.checkout_quote(user_id=request.user.pk, data=_body(request))).data)


class CheckoutApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, operation_id="checkout_place", request=CheckoutIn, responses={201: OrderOut},
                   description="Place the order from the cart's selected lines: one order, one sub-order per "
                               "shop, stock held, one payment. Then send the shopper to `pay_url`.")
    def post(self, request):
        order = checkout.checkout_place(user_id=request.user.pk, data=_body(request))
        order = selectors.order_of(user_id=request.user.pk, number=order.number)
        return Response(OrderOut(order).data, status=status.HTTP_201_CREATED)


class OrderListApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, operation_id="orders_list", responses=page_schema("PaginatedOrderList", OrderOut))
    def get(self, request):
        wanted = request.query_params.get("status", "")
        return paginated_response(self, request, selectors.orders_of(
            user_id=request.user.pk, status=wanted if wanted in OrderStatus.values else ""), OrderOut)


class OrderDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, operation_id="orders_get", responses=OrderOut)
    def get(self, request, number: str):
        order = selectors.order_of(user_id=request.user.pk, number=number)
        if order is None:
            raise NotFound("No such order.")
        return Response(OrderOut(order).data)


class OrderCancelApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=TAGS, operation_id="orders_cancel", request=None, responses=OrderOut)
    def post(self, request, number: str):
        services.order_cancel(user_id=request.user.pk, number=number)
        return Response(OrderOut(selectors.order_of(user_id=request.user.pk, number=number)).data)

