"""Reads of the webhooks app (shop schema)."""

from django.db.models import QuerySet

from .models import Delivery, DeliveryAttempt, Subscription


def subscriptions() -> QuerySet[Subscription]:
    return Subscription.objects.order_by("id")


def subscription(*, subscription_id: int) -> Subscription | None:
    return Subscription.objects.filter(pk=subscription_id).first()


def deliveries(
    *, subscription_id: int | None = None, status: str | None = None, event: str | None = None
) -> QuerySet[Delivery]:
    """Newest first; the body is left out of the list (`defer`), it is read per delivery."""
    rows = Delivery.objects.defer("body").order_by("-created_at", "-id")
    if subscription_id is not None:
        rows = rows.filter(subscription_id=subscription_id)
    if status:
        rows = rows.filter(status=status)
    if event:
        rows = rows.filter(event=event)
    return rows


def delivery(*, delivery_id: int) -> Delivery | None:
    return Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()


def attempts(*, delivery_id: int) -> QuerySet[DeliveryAttempt]:
    return DeliveryAttempt.objects.filter(delivery_id=delivery_id).order_by("number")
