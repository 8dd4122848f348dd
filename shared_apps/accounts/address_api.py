"""The address book API on the mall host (/api/v1/addresses/) and the public region list for
cascading province → city → district selects (/api/v1/regions/).

One view per path, one method per operation; the services check every rule and their refusals
become the one error body. Another person's address id answers 404, exactly like a missing one.
"""

from typing import ClassVar

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import NotFound, ServiceError
from backend.lib import regions

from . import selectors, services
from .services import MAX_ADDRESSES

TAGS = ["addresses"]


@extend_schema_serializer(component_name="Region")
class RegionOut(serializers.Serializer):
    code = serializers.CharField(help_text="GB/T 2260 code, 6 digits.")
    name = serializers.CharField()
    has_children = serializers.BooleanField(help_text="False at the district level.")


class RegionListApi(APIView):
    """Public and cacheable: the same answer for everyone, no session read."""

    authentication_classes: ClassVar[list] = []
    permission_classes: ClassVar[list] = [permissions.AllowAny]

    @extend_schema(
        tags=TAGS, operation_id="regions_list", summary="Regions one level below a code",
        description="Without `parent`: the provinces. With a province code: its cities; with a "
        "city code: its districts; with a district code: an empty list. Municipalities (北京, "
        "天津, 上海, 重庆) have a city level named after them; a city without districts (东莞, "
        "中山, …) is its own one district. 404 for an unknown code.",
        parameters=[OpenApiParameter("parent", str, required=False,
                                     description="A province or city code (6 digits).")],
        responses={200: RegionOut(many=True)},
    )
    def get(self, request):
        parent = (request.query_params.get("parent") or "").strip()
        if parent and not (len(parent) == 6 and parent.isascii() and parent.isdigit()):
            raise ServiceError("parent: a region code has 6 digits.",
                               fields={"parent": ["A region code has 6 digits."]})
        if parent and not regions.is_valid(parent):
            raise NotFound("parent: unknown region code.", fields={"parent": ["Unknown region code."]})
        levels = regions.levels_of(parent) if parent else ()
        rows = regions.children(parent or None)
        # A city's districts are leaves; a city that is its own district lists itself once.
        leaf = bool(parent) and levels[0] != "province"
        body = [{"code": code, "name": name, "has_children": not leaf} for code, name in rows]
        response = Response(RegionOut(body, many=True).data)
        response["Cache-Control"] = "public, max-age=86400"
        return response


@extend_schema_serializer(component_name="AccountAddress")
class AddressOut(serializers.Serializer):
    id = serializers.IntegerField()
    recipient_name = serializers.CharField()
    phone = serializers.CharField(help_text="The full number: this is the caller's own book.")
    province_code = serializers.CharField()
    province_name = serializers.SerializerMethodField()
    city_code = serializers.CharField()
    city_name = serializers.SerializerMethodField()
    district_code = serializers.CharField()
    district_name = serializers.SerializerMethodField()
    detail = serializers.CharField()
    postal_code = serializers.CharField()
    label = serializers.CharField()
    is_default = serializers.BooleanField()
    full_text = serializers.CharField(help_text="Region names and detail as one line.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_province_name(self, address) -> str:
        return regions.region_name(address.province_code)

    def get_city_name(self, address) -> str:
        return regions.region_name(address.city_code)

    def get_district_name(self, address) -> str:
        return regions.region_name(address.district_code)


@extend_schema_serializer(component_name="AccountAddressInput")
class AddressIn(serializers.Serializer):
    recipient_name = serializers.CharField(max_length=40)
    phone = serializers.CharField(max_length=20, help_text="A mainland mobile number; +86, spaces and dashes accepted.")
    province_code = serializers.CharField(max_length=6, help_text="GB/T 2260, 6 digits; see /api/v1/regions/.")
    city_code = serializers.CharField(max_length=6, help_text="A city of the province.")
    district_code = serializers.CharField(max_length=6, help_text="A district of the city.")
    detail = serializers.CharField(max_length=200, help_text="Street, building, room.")
    postal_code = serializers.CharField(max_length=6, required=False, allow_blank=True, help_text="Optional, 6 digits.")
    label = serializers.CharField(max_length=20, required=False, allow_blank=True, help_text="E.g. Home, Office.")
    is_default = serializers.BooleanField(required=False)


def _input(data, *, partial: bool) -> dict:
    serializer = AddressIn(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AddressListApi(APIView):
    @extend_schema(tags=TAGS, operation_id="addresses_list", summary="My addresses",
                   description=f"The default first, then newest first; at most {MAX_ADDRESSES}.",
                   responses={200: AddressOut(many=True)})
    def get(self, request):
        return Response(AddressOut(selectors.addresses_of(user_id=request.user.pk), many=True).data)

    @extend_schema(tags=TAGS, operation_id="addresses_create", summary="Add an address",
                   description="The first address becomes the default; `is_default: true` makes the "
                   "new one the default. 400 naming the field when the region codes are not one path "
                   f"(district in city in province); 409 address_limit past {MAX_ADDRESSES}.",
                   request=AddressIn, responses={201: AddressOut})
    def post(self, request):
        address = services.address_create(user=request.user, data=_input(request.data, partial=False))
        return Response(AddressOut(address).data, status=status.HTTP_201_CREATED)


class AddressDetailApi(APIView):
    @extend_schema(tags=TAGS, operation_id="addresses_retrieve", summary="One of my addresses",
                   responses={200: AddressOut})
    def get(self, request, address_id: int):
        address = selectors.address_of(user_id=request.user.pk, address_id=address_id)
        if address is None:
            raise NotFound("No such address.")
        return Response(AddressOut(address).data)

    @extend_schema(tags=TAGS, operation_id="addresses_partial_update", summary="Change an address",
                   description="Only the fields given change; changed region codes are checked "
                   "together with the unchanged ones. `is_default: false` on the default is refused.",
                   request=AddressIn, responses={200: AddressOut})
    def patch(self, request, address_id: int):
        address = services.address_update(user=request.user, address_id=address_id,
                                          data=_input(request.data, partial=True))
        return Response(AddressOut(address).data)

    @extend_schema(tags=TAGS, operation_id="addresses_destroy", summary="Delete an address",
                   description="Deleting the default makes the newest remaining address the default.",
                   responses={204: None})
    def delete(self, request, address_id: int):
        services.address_delete(user=request.user, address_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AddressDefaultApi(APIView):
    @extend_schema(tags=TAGS, operation_id="addresses_set_default", summary="Make an address my default",
                   request=None, responses={200: AddressOut})
    def post(self, request, address_id: int):
        address = services.address_set_default(user=request.user, address_id=address_id)
        return Response(AddressOut(address).data)
