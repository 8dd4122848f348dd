from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def page_schema(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """The OpenAPI schema of one page of `item`s as `Pagination` returns it."""
    return inline_serializer(name=name, fields={
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": item(many=True),
    })


def paginated_response(view, request, queryset, serializer: type[serializers.Serializer]) -> Response:
    """One page of `queryset` (page past the end: 404 with the error body)."""
    paginator = Pagination()
    rows = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer(rows, many=True).data)
