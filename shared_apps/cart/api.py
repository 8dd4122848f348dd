"""Cart API on the mall host (/api/v1/cart/): the signed-in shopper's cart, or a guest's (kept
in their session and merged at sign-in)."""

import secrets

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.views import media_url

from . import services
from .selectors import cart_view

TAGS = ["cart"]


GUEST_KEY = "cart_key"


def request_cart(request, *, create: bool):
    """The caller's cart: by user when signed in, else by a key kept in the guest's session (a
    key of our own, not the session's: sign-in renews the session key, and the merge at sign-in
    still finds the guest cart by this one)."""
    if request.user.is_authenticated:
        return services.cart_for(user_id=request.user.pk, create=create)
    key = request.session.get(GUEST_KEY)
    if not key:
        if not create:
            return None
        key = request.session[GUEST_KEY] = secrets.token_hex(16)
    return services.cart_for(session_key=key, create=create)


class CartLineOut(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    shop_id = serializers.IntegerField(source="line.shop_id")
    sku_id = serializers.IntegerField(source="line.sku_id")
    product_id = serializers.IntegerField(source="line.product_id")
    quantity = serializers.IntegerField(source="line.quantity")
    selected = serializers.BooleanField(source="line.selected")
    title = serializers.SerializerMethodField()
    spec = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    price_when_added = serializers.DecimalField(source="line.price_when_added", max_digits=12, decimal_places=2)
    price_changed = serializers.BooleanField()
    problem = serializers.CharField(help_text="'' when it can be ordered; gone / shop_closed / out_of_stock")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)

    def get_title(self, view) -> str:
        return view.offer.title if view.offer else ""

    def get_spec(self, view) -> dict:
        return view.offer.spec if view.offer else {}

    def get_image_url(self, view) -> str:
        return media_url(view.offer.image) if view.offer and view.offer.image else ""

    def get_price(self, view) -> str | None:
        return str(view.offer.price) if view.offer else None


class CartGroupOut(serializers.Serializer):
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField()
    shop_subdomain = serializers.CharField()
    selected_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = CartLineOut(many=True)


class CartOut(serializers.Serializer):
    groups = CartGroupOut(many=True)
    item_count = serializers.IntegerField()
    selected_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    has_problems = serializers.BooleanField()


def cart_response(request, code=status.HTTP_200_OK) -> Response:
    return Response(CartOut(cart_view(request_cart(request, create=False))).data, status=code)


class CartApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, operation_id="cart_get", responses=CartOut)
    def get(self, request):
        return cart_response(request)


class CartLinesApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, operation_id="cart_line_add", responses={201: CartOut}, request=inline_serializer(
        "CartLineIn", {"shop_id": serializers.IntegerField(), "sku_id": serializers.IntegerField(),
                       "quantity": serializers.IntegerField(default=1)}))
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        services.line_add(cart=request_cart(request, create=True), shop_id=data.get("shop_id"),
                          sku_id=data.get("sku_id"), quantity=data.get("quantity", 1))
        return cart_response(request, status.HTTP_201_CREATED)


class CartLineApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, operation_id="cart_line_update", responses=CartOut, request=inline_serializer(
        "CartLinePatch", {"quantity": serializers.IntegerField(required=False),
                          "selected": serializers.BooleanField(required=False)}))
    def patch(self, request, line_id: int):
        data = request.data if isinstance(request.data, dict) else {}
        services.line_update(cart=request_cart(request, create=True), line_id=line_id,
                             quantity=data.get("quantity"), selected=data.get("selected"))
        return cart_response(request)

    @extend_schema(tags=TAGS, operation_id="cart_line_remove", responses=CartOut)
    def delete(self, request, line_id: int):
        services.line_remove(cart=request_cart(request, create=True), line_id=line_id)
        return cart_response(request)


class CartPricesSeenApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, operation_id="cart_prices_seen", request=None, responses=CartOut)
    def post(self, request):
        services.price_acknowledge(cart=request_cart(request, create=True))
        return cart_response(request)
