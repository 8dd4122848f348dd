"""The webhooks API at /api/v1/shop/webhooks/ on the shop's host: subscriptions (CRUD, rotate the
secret, ping) and the delivery log (list, detail with attempts, redeliver).

Owner and managers only (the "settings" section); shop API tokens are refused: no token scope
opens that section (a token could otherwise point the shop's order events at any URL).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from backend.api.errors import NotFound
from backend.api.pagination import page_schema
from backend.lib.ip import client_ip
from tenant_apps.shop.api import ShopApiView

from . import selectors, services
from .models import DeliveryStatus, WebhookEvent

TAGS = ["webhooks"]
EVENTS_HELP = "One of: " + ", ".join(WebhookEvent.values) + "."


class WebhooksApiView(ShopApiView):
    # No token scope opens "settings", so a shop API token is refused here (403 naming the
    # section): a token could otherwise send the shop's order events to any URL.
    section = "settings"

    def audit_kwargs(self) -> dict:
        request = self.request
        return {"shop": request.tenant, "actor": request.user, "ip": client_ip(request)}


@extend_schema_serializer(component_name="WebhookSubscription")
class SubscriptionOut(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.CharField()
    description = serializers.CharField()
    events = serializers.ListField(child=serializers.CharField(), help_text=EVENTS_HELP)
    is_active = serializers.BooleanField()
    secret = serializers.CharField(
        help_text="Signs every delivery: X-Mall-Signature is v1=<hex HMAC-SHA256 of "
        '"<X-Mall-Timestamp>.<raw body>" keyed with this secret>.'
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    secret_rotated_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="WebhookSubscriptionInput")
class SubscriptionIn(serializers.Serializer):
    url = serializers.CharField(
        max_length=500,
        help_text="http:// or https://; must resolve to public addresses only.",
    )
    events = serializers.MultipleChoiceField(choices=WebhookEvent.choices, allow_empty=False)
    description = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)


@extend_schema_serializer(component_name="WebhookDelivery")
class DeliveryOut(serializers.Serializer):
    id = serializers.IntegerField()
    uuid = serializers.UUIDField(help_text="Sent as X-Mall-Delivery.")
    subscription_id = serializers.IntegerField()
    event = serializers.CharField(help_text=EVENTS_HELP)
    event_id = serializers.CharField(help_text="The body's `id`; kept by redeliveries.")
    status = serializers.CharField(
        help_text="One of: " + ", ".join(DeliveryStatus.values) + " (pending also while retrying)."
    )
    attempts = serializers.IntegerField()
    next_attempt_at = serializers.DateTimeField(allow_null=True)
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField()
    created_at = serializers.DateTimeField()
    delivered_at = serializers.DateTimeField(allow_null=True)
    redelivery_of_id = serializers.IntegerField(allow_null=True)


@extend_schema_serializer(component_name="WebhookDeliveryAttempt")
class AttemptOut(serializers.Serializer):
    number = serializers.IntegerField()
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField(allow_null=True)
    status_code = serializers.IntegerField(allow_null=True)
    response_snippet = serializers.CharField(help_text="The first 1 KB of the answer.")
    error = serializers.CharField()


@extend_schema_serializer(component_name="WebhookDeliveryDetail")
class DeliveryDetailOut(DeliveryOut):
    body = serializers.CharField(help_text="The exact JSON body sent.")
    attempt_log = serializers.SerializerMethodField()

    @extend_schema_field(AttemptOut(many=True))
    def get_attempt_log(self, delivery) -> list[dict]:
        return AttemptOut(selectors.attempts(delivery_id=delivery.pk), many=True).data


def _subscription_or_404(subscription_id: int):
    subscription = selectors.subscription(subscription_id=subscription_id)
    if subscription is None:
        raise NotFound(_("No such webhook subscription."))
    return subscription


# --- subscriptions -----------------------------------------------------------------------------


class SubscriptionListApi(WebhooksApiView):
    @extend_schema(
        tags=TAGS,
        summary="List the shop's webhook subscriptions",
        operation_id="webhooks_subscriptions_list",
        responses={200: page_schema("PaginatedWebhookSubscriptionList", SubscriptionOut)},
    )
    def get(self, request):
        return self.page(selectors.subscriptions(), SubscriptionOut)

    @extend_schema(
        tags=TAGS,
        summary="Subscribe a URL to some of the shop's events",
        description="At most 10 subscriptions per shop (400 `too_many_subscriptions`). The "
        "response carries the signing secret.",
        operation_id="webhooks_subscriptions_create",
        request=SubscriptionIn,
        responses={201: SubscriptionOut},
    )
    def post(self, request):
        data = SubscriptionIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        subscription = services.subscription_create(
            **self.audit_kwargs(),
            url=values["url"],
            events=sorted(values["events"]),
            description=values.get("description", ""),
            is_active=values.get("is_active", True),
        )
        return Response(SubscriptionOut(subscription).data, status=status.HTTP_201_CREATED)


class SubscriptionDetailApi(WebhooksApiView):
    @extend_schema(
        tags=TAGS,
        summary="Read a webhook subscription",
        operation_id="webhooks_subscriptions_retrieve",
        responses={200: SubscriptionOut},
    )
    def get(self, request, subscription_id: int):
        return Response(SubscriptionOut(_subscription_or_404(subscription_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a webhook subscription",
        description="Send only the fields to change.",
        operation_id="webhooks_subscriptions_update",
        request=SubscriptionIn(partial=True),
        responses={200: SubscriptionOut},
    )
    def patch(self, request, subscription_id: int):
        data = SubscriptionIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "events" in values:
            values["events"] = sorted(values["events"])
        subscription = services.subscription_update(
            **self.audit_kwargs(), subscription_id=subscription_id, data=values
        )
        return Response(SubscriptionOut(subscription).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a webhook subscription and its delivery log",
        operation_id="webhooks_subscriptions_destroy",
        responses={204: None},
    )
    def delete(self, request, subscription_id: int):
        services.subscription_delete(**self.audit_kwargs(), subscription_id=subscription_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionRotateSecretApi(WebhooksApiView):
    @extend_schema(
        tags=TAGS,
        summary="Replace a subscription's signing secret",
        description="The old secret stops at once: every attempt from now on is signed with "
        "the new one.",
        operation_id="webhooks_subscriptions_rotate_secret",
        request=None,
        responses={200: SubscriptionOut},
    )
    def post(self, request, subscription_id: int):
        subscription = services.subscription_rotate_secret(
            **self.audit_kwargs(), subscription_id=subscription_id
        )
        response = Response(SubscriptionOut(subscription).data)
        response["Cache-Control"] = "no-store"
        return response


class SubscriptionPingApi(WebhooksApiView):
    @extend_schema(
        tags=TAGS,
        summary="Send a ping event to a subscription",
        description="Queues a signed `ping` delivery to this subscription alone; follow it in "
        "the delivery log. 409 when the subscription is turned off.",
        operation_id="webhooks_subscriptions_ping",
        request=None,
        responses={202: DeliveryOut},
    )
    def post(self, request, subscription_id: int):
        delivery = services.subscription_ping(subscription_id=subscription_id)
        return Response(DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)


# --- deliveries --------------------------------------------------------------------------------


class DeliveryListApi(WebhooksApiView):
    class Filters(serializers.Serializer):
        subscription = serializers.IntegerField(required=False, min_value=1)
        status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
        event = serializers.ChoiceField(choices=WebhookEvent.choices, required=False)

    @extend_schema(
        tags=TAGS,
        summary="The delivery log, newest first",
        operation_id="webhooks_deliveries_list",
        parameters=[
            OpenApiParameter("subscription", int, description="Only this subscription's."),
            OpenApiParameter("status", str, enum=DeliveryStatus.values),
            OpenApiParameter("event", str, enum=WebhookEvent.values),
        ],
        responses={200: page_schema("PaginatedWebhookDeliveryList", DeliveryOut)},
    )
    def get(self, request):
        filters = self.Filters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        return self.page(
            selectors.deliveries(
                subscription_id=values.get("subscription"),
                status=values.get("status"),
                event=values.get("event"),
            ),
            DeliveryOut,
        )


class DeliveryDetailApi(WebhooksApiView):
    @extend_schema(
        tags=TAGS,
        summary="A delivery with its body and every attempt",
        operation_id="webhooks_deliveries_retrieve",
        responses={200: DeliveryDetailOut},
    )
    def get(self, request, delivery_id: int):
        delivery = selectors.delivery(delivery_id=delivery_id)
        if delivery is None:
            raise NotFound(_("No such webhook delivery."))
        return Response(DeliveryDetailOut(delivery).data)


class DeliveryRedeliverApi(WebhooksApiView):
    @extend_schema(
        tags=TAGS,
        summary="Send a delivered or failed delivery again",
        description="Makes a new delivery with the same event id and body (receivers "
        "de-duplicate by the body's `id`). 409 while the original is still pending or the "
        "subscription is turned off.",
        operation_id="webhooks_deliveries_redeliver",
        request=None,
        responses={202: DeliveryOut},
    )
    def post(self, request, delivery_id: int):
        delivery = services.delivery_redeliver(delivery_id=delivery_id)
        return Response(DeliveryOut(delivery).data, status=status.HTTP_202_ACCEPTED)
