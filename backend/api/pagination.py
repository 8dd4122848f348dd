from django.utils.translation import gettext as _
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .errors import ServiceError


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


def page_of(paginator: Pagination, rows, request, view) -> list:
    """`paginator`'s page of `rows`; a page past the end (or not a number) is a 404 naming `page`."""
    try:
        return paginator.paginate_queryset(rows, request, view=view)
    except exceptions.NotFound as exc:
        message = _("There is no such page.")
        raise ServiceError(f"page: {message}", code="invalid_page", fields={"page": [message]},
                           status_code=404) from exc


def named_page_response(view, request, rows, serializer: type[serializers.Serializer]) -> Response:
    """`paginated_response` whose refusal of a bad page names `page` (code `invalid_page`)."""
    paginator = Pagination()
    page = page_of(paginator, rows, request, view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
