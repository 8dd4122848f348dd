"""The comparison engine's pages on the mall host: the product page (every shop's offer of one
product, shipping to the shopper's region, price history, a price alert), the compare page, the
shopper's price alerts and notifications.

Bad input (an unknown district, a compare list of one or five, a target price of zero) gets the
page again with the message and a 4xx status; nothing is written.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from backend.api.errors import NotFound, ServiceError
from backend.lib import regions
from backend.lib.money import format_cny

from . import alerts, chart, compare, notifications, product, selectors
from .forms import TargetForm

COMPARE_KEY = "comparison_compare"  # the shopper's compare list in the session: group ids
HISTORY_DAYS = 90
PER_PAGE = 20


# --- the compare list (session) ----------------------------------------------------------------


def compare_list(request) -> list[int]:
    ids = request.session.get(COMPARE_KEY) or []
    return [i for i in ids if isinstance(i, int)][: compare.MAX_GROUPS]


def _compare_list_visible(request) -> list[int]:
    """The compare list without products that no active shop offers any more (they leave it)."""
    ids = compare_list(request)
    visible = selectors.visible_groups(ids) if ids else set()
    if len(visible) != len(ids):
        ids = [i for i in ids if i in visible]
        request.session[COMPARE_KEY] = ids
    return ids


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def _posted_group(request) -> int | None:
    value = (request.POST.get("group_id") or "").strip()
    return int(value) if value.isascii() and value.isdigit() and 0 < int(value) < 2**63 else None


@require_POST
def compare_add(request):
    group_id = _posted_group(request)
    if group_id is None or not selectors.group_visible(group_id):
        messages.error(request, _("No such product."))
        return redirect(_back(request, reverse("comparison:compare")))
    ids = compare_list(request)
    if group_id in ids:
        messages.info(request, _("This product is already in your compare list."))
    elif len(ids) >= compare.MAX_GROUPS:
        messages.error(request, _("Your compare list is full: compare at most %(n)d products at a time. "
                                  "Remove one first.") % {"n": compare.MAX_GROUPS})
    else:
        request.session[COMPARE_KEY] = [*ids, group_id]
        messages.success(request, _("Added to your compare list (%(n)d of %(max)d).")
                         % {"n": len(ids) + 1, "max": compare.MAX_GROUPS})
    return redirect(_back(request, reverse("comparison:product", args=[group_id])))


@require_POST
def compare_remove(request):
    group_id = _posted_group(request)
    request.session[COMPARE_KEY] = [i for i in compare_list(request) if i != group_id]
    messages.info(request, _("Removed from your compare list."))
    return redirect(_back(request, reverse("comparison:compare")))


@require_POST
def compare_clear(request):
    request.session[COMPARE_KEY] = []
    messages.info(request, _("Your compare list is empty now."))
    return redirect(reverse("comparison:compare"))


@require_safe
def compare_page(request):
    given = request.GET.getlist("g")
    listed = _compare_list_visible(request)
    context = {"listed": listed, "result": None, "error": ""}
    if not given:
        if len(listed) < compare.MIN_GROUPS:
            context["hint"] = _("Add at least two products to your compare list (with “Add to compare” on a "
                                "product page), or open this page as /compare/?g=1&g=2.")
            return render(request, "comparison/compare.html", context)
        given = [str(i) for i in listed]
    try:
        context["result"] = compare.comparison(compare.compare_ids(given))
    except ServiceError as exc:
        context["error"] = exc.message
        return render(request, "comparison/compare.html", context, status=exc.status_code)
    return render(request, "comparison/compare.html", context)


# --- the product page --------------------------------------------------------------------------


def _region_picker(request, region: str) -> tuple[dict, str]:
    """The picker's lists and choices, and an error about `province`/`city` ("" when fine)."""
    province = (request.GET.get("province") or "").strip()
    city = (request.GET.get("city") or "").strip()
    error = ""
    if region:
        province, city, _district = regions.path(region)
    if province and not regions.is_valid(province, "province"):
        error, province, city = _("province: Choose a province."), "", ""
    if city and city not in {code for code, _n in regions.children(province)}:
        error, city = error or _("city: This city is not in the chosen province."), ""
    return {"province": province, "city": city, "region": region, "region_label": regions.label(region) if region else "",
            "provinces": regions.children(None), "cities": regions.children(province) if province else [],
            "districts": regions.children(city) if city else []}, error


def _product_page(request, group_id: int, *, form: TargetForm | None = None, status: int = 200) -> HttpResponse:
    from shared_apps.accounts.interface import addresses_list

    addresses = addresses_list(user_id=request.user.pk) if request.user.is_authenticated else []
    error = ""
    given = request.GET.get("region")
    try:
        region = product.region_checked(given) if given is not None else ""
    except ServiceError as exc:
        region, error, status = "", exc.message, exc.status_code
    if given is None:
        region = next((a.district_code for a in addresses if a.is_default), "")
    picker, picker_error = _region_picker(request, region)
    if picker_error and not error:
        error, status = picker_error, 400
    try:
        view = product.product_view(group_id, region=region)
    except NotFound:
        raise Http404(_("No such product.")) from None
    points = selectors.price_history(group_id, days=HISTORY_DAYS)
    alert = alerts.alert_of(user_id=request.user.pk, group_id=group_id) if request.user.is_authenticated else None
    if form is None:
        form = TargetForm(initial={"target_price": alert.target_price if alert else ""})
    in_compare = compare_list(request)
    return render(request, "comparison/product.html", {
        "view": view, "picker": picker, "addresses": addresses, "error": error,
        "points": points, "chart": chart.price_chart(points), "history_days": HISTORY_DAYS,
        "alert": alert, "form": form, "in_compare": group_id in in_compare, "compare_count": len(in_compare),
        "compare_max": compare.MAX_GROUPS,
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}",
    }, status=status)


@require_safe
def product_page(request, group_id: int):
    return _product_page(request, group_id)


@login_required
@require_POST
def product_alert(request, group_id: int):
    """Subscribe to a price drop from the product page, or change the target."""
    form = TargetForm(request.POST)
    if form.is_valid():
        try:
            alert, created = alerts.price_alert_set(user=request.user, group_id=group_id,
                                                    target_price=form.cleaned_data["target_price"])
        except NotFound:
            raise Http404(_("No such product.")) from None
        except ServiceError as exc:
            form.add_error("target_price" if "target_price" in exc.fields else None, exc.fields.get(
                "target_price", [exc.message])[0])
            return _product_page(request, group_id, form=form, status=exc.status_code)
        messages.success(request, (_("We will tell you when the price reaches %(price)s.") if created else
                                   _("Your price alert now waits for %(price)s.")) % {"price": format_cny(alert.target_price)})
        return redirect("comparison:product", group_id=group_id)
    return _product_page(request, group_id, form=form, status=400)


# --- price alerts ------------------------------------------------------------------------------


def _alerts_page(request, *, errors: dict | None = None, status: int = 200) -> HttpResponse:
    page = Paginator(alerts.alerts_of(request.user.pk), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "comparison/alerts.html", {"page": page, "errors": errors or {}}, status=status)


@login_required
@require_safe
def alert_list(request):
    return _alerts_page(request)


def _alert_action(request, alert_id: int, action) -> HttpResponse:
    try:
        message = action()
    except NotFound:
        raise Http404(_("No such price alert.")) from None
    except ServiceError as exc:
        return _alerts_page(request, errors={alert_id: exc.fields.get("target_price", [exc.message])[0]},
                            status=exc.status_code)
    messages.success(request, message)
    return redirect("comparison:alerts")


@login_required
@require_POST
def alert_update(request, alert_id: int):
    def action():
        alerts.price_alert_update(user=request.user, alert_id=alert_id,
                                  target_price=request.POST.get("target_price", ""))
        return _("The target price was changed.")

    return _alert_action(request, alert_id, action)


@login_required
@require_POST
def alert_rearm(request, alert_id: int):
    def action():
        alerts.price_alert_update(user=request.user, alert_id=alert_id, rearm=True)
        return _("The alert is watching the price again.")

    return _alert_action(request, alert_id, action)


@login_required
@require_POST
def alert_delete(request, alert_id: int):
    def action():
        alerts.price_alert_delete(user=request.user, alert_id=alert_id)
        return _("The price alert was deleted.")

    return _alert_action(request, alert_id, action)


# --- notifications -----------------------------------------------------------------------------


@login_required
@require_safe
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notifications.notifications_of(request.user.pk, unread_only=unread_only),
                     PER_PAGE).get_page(request.GET.get("page"))
    rows = [notifications.view_of(row) for row in page]
    return render(request, "comparison/notifications.html", {
        "page": page, "rows": rows, "unread_only": unread_only,
        "unread": notifications.unread_count(request.user.pk)})


@login_required
@require_POST
def notification_read(request, notification_id: int):
    try:
        row = notifications.notification_mark_read(user=request.user, notification_id=notification_id)
    except NotFound:
        raise Http404(_("No such notification.")) from None
    if request.POST.get("open") == "1" and row.group_id:
        return redirect("comparison:product", group_id=row.group_id)
    return redirect(_back(request, reverse("comparison:notifications")))


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(user=request.user)
    messages.success(request, _("Marked %(n)d notifications read.") % {"n": count})
    return redirect("comparison:notifications")

