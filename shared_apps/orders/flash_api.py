"""Flash sales over HTTP. On the mall host: a sale's state (anyone) and buying one unit (the
signed-in shopper): `/api/v1/flash/<id>/` and `/api/v1/flash/<id>/buy/`. The buy view does the
least it can before the Redis gate, so a sold-out crowd is answered without touching PostgreSQL
beyond reading the sale. On a shop's host: the shop's own sales (`/api/v1/shop/flash-sales/`)."""

from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.marketing.models import FlashSale
from tenant_apps.shop.api import ShopApiView

from . import flash

TAGS = ["flash-sales"]


class FlashSaleOut(serializers.Serializer):
    id = serializers.IntegerField()
    shop_id = serializers.IntegerField()
    sku_id = serializers.IntegerField()
    title = serializers.CharField()
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    quantity = serializers.IntegerField()
    per_person_limit = serializers.IntegerField()
    hold_minutes = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    status = serializers.CharField()
    left = serializers.IntegerField(help_text="units not yet taken (a gate figure; orders are the truth)")


def _sale(sale_id) -> FlashSale:
    sale = FlashSale.objects.select_related("shop").filter(pk=sale_id).first()
    if sale is None:
        raise NotFound("No such flash sale.")
    return sale


class FlashSaleApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(tags=TAGS, operation_id="flash_sale_get", responses=FlashSaleOut)
    def get(self, request, sale_id: int):
        return Response(FlashSaleOut(flash.sale_view(_sale(sale_id))).data)


class FlashBuyApi(APIView):
    """Lean on purpose: once the units are gone, a signed-in buyer's attempt is answered from the
    session and the Redis gate alone — no account load, no query — so the crowd costs little.
    Everything else goes the full way (the account, CSRF for sessions, PostgreSQL)."""

    permission_classes = [AllowAny]  # checked in post(), after the sold-out shortcut

    def perform_authentication(self, request):
        pass  # lazily, in post(): DRF authenticates on first use of request.user

    def _sold_out_shortcut(self, request, sale_id) -> bool:
        return bool(request._request.session.get(SESSION_KEY)) and flash.sold_out(sale_id)

    @extend_schema(tags=TAGS, operation_id="flash_sale_buy", request=inline_serializer("FlashBuyIn", {
        "client_token": serializers.CharField(), "address_id": serializers.IntegerField(),
        "provider": serializers.CharField(required=False)}),
        responses={201: inline_serializer("FlashBuyOut", {"order": serializers.CharField(),
                                                           "pay_url": serializers.CharField()})},
        description="One unit for the signed-in shopper: an order to pay within the sale's hold. "
                    "409 sold_out / limit_reached / not_active.")
    def post(self, request, sale_id: int):
        if self._sold_out_shortcut(request, sale_id):
            raise Conflict(_("Sold out."), code="sold_out")
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        data = request.data if isinstance(request.data, dict) else {}
        order = flash.flash_buy(user_id=request.user.pk, sale_id=sale_id, data=data)
        from shared_apps.payments.interface import payment_get

        payment = payment_get(number=order.number)
        return Response({"order": order.number, "pay_url": payment.pay_url if payment else ""},
                        status=status.HTTP_201_CREATED)


class ShopFlashSalesApi(ShopApiView):
    """The shop's flash sales: list them, set one up (it starts by itself at its time)."""

    section = "catalog"

    @extend_schema(tags=TAGS, operation_id="shop_flash_sales_list", responses=FlashSaleOut(many=True))
    def get(self, request):
        sales = FlashSale.objects.filter(shop=request.tenant).select_related("shop")[:100]
        return Response(FlashSaleOut([flash.sale_view(s) for s in sales], many=True).data)

    @extend_schema(tags=TAGS, operation_id="shop_flash_sales_create", request=inline_serializer("FlashSaleIn", {
        "sku_id": serializers.IntegerField(), "price": serializers.DecimalField(max_digits=12, decimal_places=2),
        "quantity": serializers.IntegerField(), "per_person_limit": serializers.IntegerField(required=False),
        "hold_minutes": serializers.IntegerField(required=False), "starts_at": serializers.DateTimeField(),
        "ends_at": serializers.DateTimeField()}), responses={201: FlashSaleOut})
    def post(self, request):
        data = dict(request.data) if isinstance(request.data, dict) else {}
        for field in ("starts_at", "ends_at"):
            value = parse_datetime(str(data.get(field) or ""))
            if value is None:
                raise ServiceError(f"{field}: give an ISO date and time with its offset.",
                                   fields={field: ["Give an ISO date and time with its offset."]})
            data[field] = value if timezone.is_aware(value) else timezone.make_aware(value)
        sale = flash.flash_create(shop=request.tenant, data=data)
        return Response(FlashSaleOut(flash.sale_view(sale)).data, status=status.HTTP_201_CREATED)
