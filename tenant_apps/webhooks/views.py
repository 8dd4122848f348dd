"""The webhook pages of the merchant console: subscriptions (add, edit, delete, rotate the secret,
send a ping) and the delivery log (attempts, redeliver). Owner and managers only (the
"settings" section); writes go through the services and their refusals are shown on the page
with their status code."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from backend.api.errors import ServiceError
from backend.lib.forms import attach_service_error
from backend.lib.ip import client_ip
from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import selectors, services
from .forms import SubscriptionForm
from .models import DeliveryStatus, WebhookEvent

SECTION = "settings"
LOG_LIMIT = 50
FORM_METHODS = ["GET", "HEAD", "POST"]
STATUS_BADGES = {
    DeliveryStatus.PENDING: "pending",
    DeliveryStatus.DELIVERED: "active",
    DeliveryStatus.FAILED: "closed",
}


def _page(request, template, context=None, status=200):
    response = _console(
        request, f"webhooks/console/{template}", "settings", context or {}, status=status
    )
    response["Cache-Control"] = "no-store"  # pages show signing secrets
    return response


def _kwargs(request) -> dict:
    return {"shop": request.tenant, "actor": request.user, "ip": client_ip(request)}


def _subscription(subscription_id: int):
    subscription = selectors.subscription(subscription_id=subscription_id)
    if subscription is None:
        raise Http404("No such webhook subscription.")
    return subscription


def _log_rows(rows, urls: dict | None = None) -> list[dict]:
    labels = dict(DeliveryStatus.choices)
    return [
        {
            "record": row,
            "status_label": labels.get(row.status, row.status),
            "badge": STATUS_BADGES.get(row.status, ""),
            "url": (urls or {}).get(row.subscription_id, ""),
        }
        for row in rows
    ]


def _filter(request) -> tuple[str, str]:
    status = request.GET.get("status", "")
    event = request.GET.get("event", "")
    return (
        status if status in DeliveryStatus.values else "",
        event if event in WebhookEvent.values else "",
    )


@require_http_methods(FORM_METHODS)
@console_page(SECTION)
def subscriptions(request):
    """Every subscription, a form to add one, the recent delivery log and how to verify a
    signature."""
    status_code = 200
    form = SubscriptionForm(initial={"is_active": True})
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                subscription = services.subscription_create(
                    **_kwargs(request),
                    url=data["url"],
                    events=data["events"],
                    description=data["description"],
                    is_active=data["is_active"],
                )
            except ServiceError as exc:
                attach_service_error(form, exc)
                status_code = exc.status_code
            else:
                messages.success(
                    request,
                    _(
                        "The webhook subscription was added. Copy its "
                        "signing secret into your receiver."
                    ),
                )
                return redirect("shop:webhooks-subscription", subscription_id=subscription.pk)
        else:
            status_code = 400
    status, event = _filter(request)
    subs = list(selectors.subscriptions())
    rows = selectors.deliveries(status=status or None, event=event or None)[:LOG_LIMIT]
    return _page(
        request,
        "subscriptions.html",
        {
            "subscriptions": subs,
            "form": form,
            "log": _log_rows(rows, {s.pk: s.url for s in subs}),
            "status": status,
            "event": event,
            "statuses": DeliveryStatus.choices,
            "events": WebhookEvent.choices,
            "max_subscriptions": services.MAX_SUBSCRIPTIONS,
        },
        status=status_code,
    )


@require_http_methods(FORM_METHODS)
@console_page(SECTION)
def subscription_edit(request, subscription_id: int):
    subscription = _subscription(subscription_id)
    status_code = 200
    if request.method == "POST":
        form = SubscriptionForm(request.POST)
        if form.is_valid():
            try:
                services.subscription_update(
                    **_kwargs(request), subscription_id=subscription.pk, data=form.cleaned_data
                )
            except ServiceError as exc:
                attach_service_error(form, exc)
                status_code = exc.status_code
            else:
                messages.success(request, _("The webhook subscription was saved."))
                return redirect("shop:webhooks-subscription", subscription_id=subscription.pk)
        else:
            status_code = 400
    else:
        form = SubscriptionForm(
            initial={
                "url": subscription.url,
                "description": subscription.description,
                "events": subscription.events,
                "is_active": subscription.is_active,
            }
        )
    rows = selectors.deliveries(subscription_id=subscription.pk)[:LOG_LIMIT]
    return _page(
        request,
        "subscription.html",
        {"subscription": subscription, "form": form, "log": _log_rows(rows)},
        status=status_code,
    )


@require_POST
@console_page(SECTION)
def subscription_rotate(request, subscription_id: int):
    try:
        services.subscription_rotate_secret(**_kwargs(request), subscription_id=subscription_id)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        raise
    messages.success(
        request,
        _(
            "A new signing secret was made; the old one no longer works. "
            "Put the new one into your receiver."
        ),
    )
    return redirect("shop:webhooks-subscription", subscription_id=subscription_id)


@require_POST
@console_page(SECTION)
def subscription_ping(request, subscription_id: int):
    subscription = _subscription(subscription_id)
    try:
        delivery = services.subscription_ping(subscription_id=subscription.pk)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("A ping was queued; its result shows in the delivery log."))
        return redirect("shop:webhooks-delivery", delivery_id=delivery.pk)
    return redirect("shop:webhooks-subscription", subscription_id=subscription.pk)


@require_http_methods(FORM_METHODS)
@console_page(SECTION)
def subscription_delete(request, subscription_id: int):
    """Asks first (GET), deletes on POST."""
    subscription = _subscription(subscription_id)
    if request.method == "POST":
        services.subscription_delete(**_kwargs(request), subscription_id=subscription.pk)
        messages.success(request, _("The webhook subscription was deleted."))
        return redirect("shop:webhooks")
    return _page(request, "subscription_delete.html", {"subscription": subscription})


@require_safe
@console_page(SECTION)
def delivery_detail(request, delivery_id: int):
    delivery = selectors.delivery(delivery_id=delivery_id)
    if delivery is None:
        raise Http404("No such webhook delivery.")
    return _page(
        request,
        "delivery.html",
        {
            "delivery": delivery,
            "row": _log_rows([delivery])[0],
            "attempts": list(selectors.attempts(delivery_id=delivery.pk)),
        },
    )


@require_POST
@console_page(SECTION)
def delivery_redeliver(request, delivery_id: int):
    try:
        delivery = services.delivery_redeliver(delivery_id=delivery_id)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
        return redirect("shop:webhooks-delivery", delivery_id=delivery_id)
    messages.success(request, _("The event was queued to be sent again."))
    return redirect("shop:webhooks-delivery", delivery_id=delivery.pk)
