"""Pages of payments on the mall host: the sandbox's cashier, the page that hands the shopper
to a provider, the result page, and the providers' notification endpoints."""

import logging

import segno
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.api.errors import ServiceError

from . import providers, sandbox_gateway, services
from .models import PaymentStatus, Source
from .providers.base import MAX_NOTIFICATION_BYTES, BadNotification
from .selectors import payment_for_page

log = logging.getLogger(__name__)
SYNC_INTERVAL_SECONDS = 5
# Headers worth keeping with a stored notification (never cookies or authorization).
KEPT_HEADERS = ("Content-Type", "User-Agent", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial",
                "Wechatpay-Signature", "X-Forwarded-For")


def _payment_or_404(request, number: str):
    payment = payment_for_page(number=number, user=request.user)
    if payment is None:
        raise Http404(_("No such payment."))
    return payment


@require_http_methods(["GET", "POST"])
def sandbox_cashier(request, number: str):
    """The sandbox provider's hosted pay page: Pay, Fail or Cancel."""
    payment = _payment_or_404(request, number)
    trade = sandbox_gateway.trade_for(number)
    if trade is None:
        raise Http404(_("No such payment."))
    error, status = "", 200
    if request.method == "POST":
        try:
            sandbox_gateway.trade_act(out_trade_no=number, action=request.POST.get("action", ""))
        except sandbox_gateway.SandboxRefused as exc:
            error, status = str(exc), 409
        else:
            return HttpResponseRedirect(trade.return_url)
        trade.refresh_from_db()
    return render(request, "payments/sandbox_cashier.html", {
        "payment": payment, "trade": trade, "payable": sandbox_gateway.is_payable(trade), "error": error,
    }, status=status)


@require_GET
def go(request, number: str):
    """Hand the shopper to the payment's provider: a redirect (sandbox, Alipay) or a page with
    the WeChat Pay code to scan."""
    payment = _payment_or_404(request, number)
    if payment.provider == providers.OfflineProvider.code or payment.status == PaymentStatus.SUCCEEDED:
        return HttpResponseRedirect(f"/pay/return/{number}/")
    try:
        checkout = services.payment_checkout(number=number)
    except ServiceError as exc:
        return render(request, "payments/result.html", {"payment": payment, "error": exc.message},
                      status=exc.status_code)
    if checkout.redirect_url:
        return HttpResponseRedirect(checkout.redirect_url)
    qr_svg = segno.make(checkout.code_url, error="m").svg_inline(scale=6)
    return render(request, "payments/scan.html", {"payment": payment, "code_url": checkout.code_url,
                                                  "qr_svg": qr_svg})


@require_GET
def result(request, number: str):
    """Where providers send the shopper back. Their redirect proves nothing, so while the
    payment is open the provider is asked (at most every few seconds per payment)."""
    payment = _payment_or_404(request, number)
    if payment.status != PaymentStatus.SUCCEEDED and providers.get(payment.provider).online \
            and cache.add(f"payments:sync:{payment.pk}", 1, SYNC_INTERVAL_SECONDS):
        try:
            payment = services.payment_sync(payment_id=payment.pk) or payment
        except Exception:  # the page still shows what we know; the notification will follow
            log.exception("payment %s: sync from the result page failed", number)
    waiting = payment.status == PaymentStatus.PENDING
    response = render(request, "payments/result.html", {
        "payment": payment, "waiting": waiting,
        "expired": payment.status != PaymentStatus.SUCCEEDED and payment.expires_at <= timezone.now(),
    })
    if waiting and providers.get(payment.provider).online:
        response["Refresh"] = str(SYNC_INTERVAL_SECONDS)  # no script needed (the CSP allows none)
    return response


def _kept_headers(request) -> dict:
    return {name: request.headers[name][:300] for name in KEPT_HEADERS if name in request.headers}


@csrf_exempt
@require_POST
def notify(request, provider: str):
    """A provider's asynchronous notification. Verified, applied once, kept; the answer is the
    one the provider expects. Garbage gets a 4xx, never a 500."""
    try:
        impl = providers.get(provider)
    except LookupError:
        raise Http404("No such provider.") from None
    if not impl.online or not impl.enabled():
        raise Http404("No such provider.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > MAX_NOTIFICATION_BYTES:
        return HttpResponse("too large", status=413, content_type="text/plain")
    body = request.read(MAX_NOTIFICATION_BYTES + 1)
    if len(body) > MAX_NOTIFICATION_BYTES:
        return HttpResponse("too large", status=413, content_type="text/plain")
    text, headers = body.decode("utf-8", "replace"), _kept_headers(request)
    try:
        event = impl.parse_notification(body=body, headers=request.headers)
    except BadNotification as exc:
        log.warning("%s notification refused: %s", provider, exc.message)
        services.notification_refused(provider=provider, error=exc, body=text, headers=headers)
        return impl.answer(ok=False, message=exc.message, status=exc.status)
    except Exception as exc:  # e.g. a key in the settings that does not load: ours to fix, theirs to retry
        log.exception("%s notification could not be read", provider)
        services.notification_failed(provider=provider, event=None, detail=f"{exc.__class__.__name__}: {exc}",
                                     body=text, headers=headers)
        return impl.answer(ok=False, message="try again later", status=503)
    try:
        applied = services.event_apply(provider=provider, event=event, source=Source.NOTIFICATION, body=text,
                                       headers=headers)
    except Exception as exc:  # the provider must hear "try again", not a 500
        log.exception("%s notification for %s failed", provider, event.out_trade_no)
        services.notification_failed(provider=provider, event=event, detail=f"{exc.__class__.__name__}: {exc}",
                                     body=text, headers=headers)
        return impl.answer(ok=False, message="try again later", status=503)
    return impl.answer(ok=applied.ok, message=applied.detail, status=409)
