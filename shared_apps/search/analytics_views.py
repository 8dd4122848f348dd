"""Click-through of search results (点击): the mall page's redirect beacon and the API's click
endpoint. Both only check their input and hand the click to `analytics.click_logged`."""

from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import ServiceError

from . import analytics


@require_safe
def click_redirect(request):
    """`/search/click/?search_id=…&position=…&offer_id=…&to=…` on the mall host: record the click
    and send the shopper on to `to`. A target outside the mall's hosts is a 400 page, never a
    redirect; a click whose other parameters are wrong is not recorded, but the shopper still
    reaches the (checked) page."""
    try:
        target = analytics.redirect_target(request.GET.get("to"))
    except ServiceError as exc:
        return render(request, "search/click_refused.html", {"message": exc.message}, status=exc.status_code)
    try:
        click = analytics.click_check(search_id=request.GET.get("search_id"), position=request.GET.get("position"),
                                      offer_id=request.GET.get("offer_id"))
    except ServiceError:
        click = None
    if click is not None:
        analytics.click_logged(click)
    response = HttpResponseRedirect(target)
    response["Cache-Control"] = "no-store"  # every click must reach us, not a cache
    response["Referrer-Policy"] = "no-referrer"
    return response


@extend_schema_serializer(component_name="SearchClickInput")
class ClickIn(serializers.Serializer):
    search_id = serializers.CharField(max_length=64, help_text="The `search_id` of the search's answer.")
    position = serializers.IntegerField(help_text="The result's place in the whole answer: 1 is the first result "
                                        "of the first page (page 2 of 24 starts at 25).")
    offer_id = serializers.IntegerField(help_text="The `offer_id` of the result opened.")


class ClickApi(APIView):
    """Anyone may report a click, signed in or not; it carries no account, so it needs neither
    authentication nor a CSRF token (a forged click can only add noise to statistics)."""

    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(tags=["search"], operation_id="search_click", summary="Report a click on a search result",
                   request=ClickIn, responses={204: None},
                   description="Search analytics (click-through): call when the shopper opens a result of "
                   "`GET /api/v1/search/`. 400 names a bad field. Recorded asynchronously; a click is kept "
                   "only when its search was logged and `position` was on the page that search returned.")
    def post(self, request):
        data = ClickIn(data=request.data)
        data.is_valid(raise_exception=True)
        analytics.click_logged(analytics.click_check(**data.validated_data))
        return Response(status=status.HTTP_204_NO_CONTENT)
