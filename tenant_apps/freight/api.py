"""The freight API at /api/v1/shop/freight/ on the shop's host: templates (CRUD), a quote for
the staff to try their prices, and the region list the console's region picker reads.

Freight is shop configuration: the "settings" section opens it (owner and manager); API tokens
are refused (no token scope opens settings). The services check every rule and their refusals
become the one error body.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.api.errors import NotFound, ServiceError
from backend.api.pagination import page_schema
from backend.lib import regions
from backend.lib.ip import client_ip
from tenant_apps.shop.api import ShopApiView

from . import interface, selectors, services
from .models import DeliveryMethod

TAGS = ["freight"]
METHODS_HELP = "One of: " + ", ".join(DeliveryMethod.values) + " (pickup needs no template)."
BASIS_HELP = "One of: piece (units are pieces), weight (units are grams)."


class FreightApiView(ShopApiView):
    section = "settings"
    token_access = False

    def audit_kwargs(self) -> dict:
        return {"actor": self.request.user, "shop_id": self.request.tenant.pk, "ip": client_ip(self.request)}


@extend_schema_serializer(component_name="FreightRegionRule")
class RuleOut(serializers.Serializer):
    regions = serializers.ListField(child=serializers.CharField(), help_text="GB/T 2260 codes of any level.")
    region_names = serializers.SerializerMethodField()
    first_units = serializers.IntegerField()
    first_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    additional_units = serializers.IntegerField()
    additional_price = serializers.DecimalField(max_digits=12, decimal_places=2)

    def get_region_names(self, rule) -> list[str]:
        return [regions.label(code) for code in rule.regions]


@extend_schema_serializer(component_name="FreightTemplate")
class TemplateOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    method = serializers.CharField(help_text=METHODS_HELP)
    basis = serializers.CharField(help_text=BASIS_HELP)
    first_units = serializers.IntegerField(help_text="Pieces or grams covered by first_price.")
    first_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    additional_units = serializers.IntegerField(help_text="Each started step of this many pieces or grams beyond the first …")
    additional_price = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="… costs this much.")
    free_threshold = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True,
                                              help_text="Goods amount (before discounts) from which delivery is free.")
    excluded_regions = serializers.ListField(child=serializers.CharField(), help_text="Not delivered to.")
    is_active = serializers.BooleanField()
    rules = RuleOut(many=True, source="rules.all")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="FreightRegionRuleInput")
class RuleIn(serializers.Serializer):
    regions = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1,
                                    help_text="Region codes (or unique names such as 广东省).")
    first_units = serializers.IntegerField(required=False, help_text="Whole number ≥ 1; default 1.")
    first_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    additional_units = serializers.IntegerField(required=False, help_text="Whole number ≥ 1; default 1.")
    additional_price = serializers.DecimalField(max_digits=12, decimal_places=2)


@extend_schema_serializer(component_name="FreightTemplateInput")
class TemplateIn(serializers.Serializer):
    """Types only: the services check the values and name the field."""

    name = serializers.CharField(max_length=60)
    method = serializers.CharField(help_text=METHODS_HELP)
    basis = serializers.CharField(required=False, help_text=BASIS_HELP + " Default piece.")
    first_units = serializers.IntegerField(required=False, help_text="Whole number ≥ 1; default 1.")
    first_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    additional_units = serializers.IntegerField(required=False, help_text="Whole number ≥ 1; default 1.")
    additional_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    free_threshold = serializers.DecimalField(max_digits=12, decimal_places=2, required=False, allow_null=True)
    excluded_regions = serializers.ListField(child=serializers.CharField(max_length=20), required=False)
    is_active = serializers.BooleanField(required=False, help_text="Default true; one active template per method.")
    rules = RuleIn(many=True, required=False, help_text="Replaces all the template's rules when given.")


class TemplateParse(TemplateIn):
    """What the views parse with: lists are passed to the services as sent, which check them
    and name the wrong element as `rules[1].first_price` (DRF would say `rules.1.first_price`)."""

    excluded_regions = serializers.JSONField(required=False)
    rules = serializers.JSONField(required=False)


def _input(data, *, partial: bool) -> dict:
    serializer = TemplateParse(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class TemplateListApi(FreightApiView):
    @extend_schema(tags=TAGS, operation_id="freight_templates_list", summary="List freight templates",
                   description="By method, the active one first. A shop without an active template "
                   "offers only pickup at its pickup locations.",
                   responses={200: page_schema("PaginatedFreightTemplateList", TemplateOut)})
    def get(self, request):
        return self.page(selectors.templates(), TemplateOut)

    @extend_schema(tags=TAGS, operation_id="freight_templates_create", summary="Add a freight template",
                   description="400 naming the field for bad values (amounts ≤ 2 decimals, units whole "
                   "numbers ≥ 1, unknown region codes, a code in two rules or both excluded and priced); "
                   "409 active_template_exists when the method already has an active template.",
                   request=TemplateIn, responses={201: TemplateOut})
    def post(self, request):
        template = services.template_create(data=_input(request.data, partial=False), **self.audit_kwargs())
        return Response(TemplateOut(selectors.template(template.pk)).data, status=status.HTTP_201_CREATED)


class TemplateDetailApi(FreightApiView):
    @extend_schema(tags=TAGS, operation_id="freight_templates_retrieve", summary="Read a freight template",
                   responses={200: TemplateOut})
    def get(self, request, template_id: int):
        template = selectors.template(template_id)
        if template is None:
            raise NotFound("No such freight template.")
        return Response(TemplateOut(template).data)

    @extend_schema(tags=TAGS, operation_id="freight_templates_partial_update", summary="Change a freight template",
                   description="Only the fields given change; `rules`, when given, replaces every rule.",
                   request=TemplateIn, responses={200: TemplateOut})
    def patch(self, request, template_id: int):
        template = services.template_update(template_id=template_id, data=_input(request.data, partial=True),
                                            **self.audit_kwargs())
        return Response(TemplateOut(selectors.template(template.pk)).data)

    @extend_schema(tags=TAGS, operation_id="freight_templates_destroy", summary="Delete a freight template",
                   responses={204: None})
    def delete(self, request, template_id: int):
        services.template_delete(template_id=template_id, **self.audit_kwargs())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_serializer(component_name="FreightQuote")
class QuoteOut(serializers.Serializer):
    method = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    free_reason = serializers.CharField(help_text='"" or why it is free: threshold, rule (priced at 0), pickup.')


@extend_schema_serializer(component_name="FreightPickupLocation")
class PickupOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    opening_hours = serializers.CharField()
    phone = serializers.CharField()


class QuoteApi(FreightApiView):
    @extend_schema_serializer(component_name="FreightQuoteItem")
    class Item(serializers.Serializer):
        quantity = serializers.IntegerField(help_text="Whole pieces ≥ 1.")
        weight_grams = serializers.IntegerField(required=False, default=0, help_text="Weight of one piece, grams.")
        amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Line goods amount before discounts.")

    @extend_schema_serializer(component_name="FreightQuoteRequest")
    class Input(serializers.Serializer):
        region_code = serializers.CharField(max_length=6, required=False, allow_blank=True,
                                            help_text="A district code (6 digits); not needed for pickup.")
        method = serializers.CharField(required=False, allow_blank=True,
                                       help_text="express, expedited, same_city or pickup; omit for every method.")
        items = serializers.ListField(child=serializers.DictField(), min_length=1, max_length=interface.MAX_ITEMS)

    @extend_schema_serializer(component_name="FreightQuoteResult")
    class Output(serializers.Serializer):
        quotes = QuoteOut(many=True)
        pickup_locations = PickupOut(many=True)

    @extend_schema(tags=TAGS, operation_id="freight_quote", summary="Try a quote",
                   description="What checkout would charge. With `method`: that method's price, or 422 "
                   "not_deliverable naming the method or region. Without: every method that reaches the "
                   "district (an empty list when none does). Pickup locations are listed either way.",
                   request=Input, responses={200: Output})
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        items = []
        for index, raw in enumerate(values["items"]):
            item = self.Item(data=raw)
            if not item.is_valid():
                raise serializers.ValidationError({f"items[{index}]": item.errors})
            v = item.validated_data
            items.append(interface.FreightItem(sku_id=0, quantity=v["quantity"], weight_grams=v["weight_grams"],
                                               amount=v["amount"]))
        method = values.get("method") or ""
        region = values.get("region_code") or ""
        if method:
            quotes = [interface.quote(method=method, region_code=region, items=items)]
        else:
            quotes = interface.methods_for(region_code=region, items=items)
        return Response(self.Output({"quotes": quotes, "pickup_locations": interface.pickup_locations()}).data)


class RegionListApi(FreightApiView):
    """The console's region picker on the shop host (the mall's /api/v1/regions/ is another host)."""

    @extend_schema_serializer(component_name="FreightRegion")
    class Output(serializers.Serializer):
        code = serializers.CharField()
        name = serializers.CharField()

    @extend_schema(tags=TAGS, operation_id="freight_regions_list", summary="Regions one level below a code",
                   description="Like /api/v1/regions/ on the mall host: provinces without `parent`, "
                   "else the cities of a province or the districts of a city.",
                   parameters=[OpenApiParameter("parent", str, required=False)],
                   responses={200: Output(many=True)})
    def get(self, request):
        parent = (request.query_params.get("parent") or "").strip()
        if parent and not regions.is_valid(parent):
            raise ServiceError("parent: unknown region code.", fields={"parent": ["Unknown region code."]})
        rows = [{"code": c, "name": n} for c, n in regions.children(parent or None)]
        return Response(self.Output(rows, many=True).data)

