"""Price-drop alerts (降价提醒): a signed-in shopper watches a comparison group with a target price
and hears once, in the app and by e-mail, when any shop sells it for that or less.

Rules:
- One alert per shopper and group; subscribing again, or editing, replaces the target. The target
  is an amount above zero and below the group's lowest price now (at or above it there is nothing
  to wait for). A shopper watches at most `MAX_ALERTS` groups.
- What counts as "a shop sells it": an in-stock offer of the group in an active shop (listed, as
  the offer index only holds listed SKUs).
- Checking is set-based: one UPDATE finds and fires every armed alert that the groups' lowest
  prices now satisfy (`price_alerts_check`). It runs after the offer index commits a price change
  (`interface.offers_changed`), after a regrouping, and in the periodic sweep, so a lost task
  costs minutes, never a notification.
- Fired once per alert and cycle: the UPDATE only takes alerts still armed (two checks racing on
  one alert serialise on its row, and the second finds it triggered), and the notification is
  unique per (alert, cycle). Re-arming or a new target starts the next cycle.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError, amount_field, field_error
from backend.lib import hosts
from backend.lib.mail import send_after_commit
from backend.lib.money import format_cny

from . import selectors
from .models import AlertStatus, ComparisonGroup, NotificationKind, PriceAlert
from .notifications import unread_forget
from .transitions import can_move

MAX_ALERTS = 100

# Fires the armed alerts of `{groups}` whose target the group's cheapest in-stock offer of an
# active shop has reached. An alert a concurrent check already fired no longer matches
# `status = 'armed'` when PostgreSQL re-reads the locked row, so it is fired once.
FIRE = """
    WITH best AS (
        SELECT DISTINCT ON (m.group_id) m.group_id, p.price, m.shop_id, s.name AS shop_name
          FROM comparison_groupmember m
          JOIN offers_offerprice p ON p.shop_id = m.shop_id AND p.sku_id = m.sku_id
          JOIN tenants_shop s ON s.id = m.shop_id
         WHERE s.status = 'active' AND p.stock_state <> 'out'
           AND m.group_id IN (SELECT group_id FROM comparison_pricealert WHERE status = 'armed' {groups})
         ORDER BY m.group_id, p.price, m.shop_id
    )
    UPDATE comparison_pricealert a
       SET status = 'triggered', triggered_at = %(now)s, triggered_price = best.price, updated_at = %(now)s
      FROM best
     WHERE a.group_id = best.group_id AND a.status = 'armed' AND best.price <= a.target_price
    RETURNING a.id, a.user_id, a.group_id, a.cycle, a.target_price, best.price, best.shop_id, best.shop_name
"""


# The fired alerts' notifications, one per (alert, cycle): those already written are skipped,
# and only the new ones come back to be e-mailed.
NOTIFY = """
    INSERT INTO comparison_notification (user_id, kind, group_id, alert_id, alert_cycle, data, created_at)
    SELECT u, %(kind)s, g, a, c, d::jsonb, %(now)s
      FROM unnest(%(users)s::bigint[], %(groups)s::bigint[], %(alerts)s::bigint[], %(cycles)s::integer[],
                  %(data)s::text[]) AS t(u, g, a, c, d)
    ON CONFLICT (alert_id, alert_cycle) WHERE alert_id IS NOT NULL DO NOTHING
    RETURNING alert_id, alert_cycle
"""


def _shopper(user) -> None:
    if not (user and user.is_authenticated and user.is_active):
        raise ServiceError(_("Sign in to manage price alerts."), code="not_authenticated", status_code=401)


def _target(value) -> Decimal:
    if value is None or value == "":
        raise field_error("target_price", _("Enter a target price."))
    return amount_field(value, "target_price", allow_zero=False)


def _check_target(group_id: int, target: Decimal) -> None:
    lowest = selectors.lowest_prices([group_id]).get(group_id, (None, 0))[0]
    if lowest is not None and target >= lowest:
        raise field_error("target_price", _("The lowest price is already %(price)s; choose a lower target.")
                          % {"price": format_cny(lowest)})


def _arm(alert: PriceAlert) -> None:
    """Start the next cycle of a fired alert (it may fire again, and notify again)."""
    if not can_move(alert.status, AlertStatus.ARMED):
        return
    alert.status, alert.cycle = AlertStatus.ARMED, alert.cycle + 1
    alert.triggered_at = alert.triggered_price = None


@transaction.atomic
def price_alert_set(*, user, group_id: int, target_price) -> tuple[PriceAlert, bool]:
    """Watch a group for a price at or below `target_price`, or change the target of the
    shopper's alert on it (which re-arms a fired one). Returns (alert, created).

    The group must show at least one offer (an active shop's); else 404. Two requests at once
    make one alert (get_or_create retries the read after losing the insert; the row is then
    locked and updated).
    """
    _shopper(user)
    target = _target(target_price)
    if not selectors.group_visible(group_id):
        raise NotFound(_("No such product."), fields={"group_id": [_("No such product.")]})
    _check_target(group_id, target)
    if not PriceAlert.objects.filter(user_id=user.pk, group_id=group_id).exists() and \
            PriceAlert.objects.filter(user_id=user.pk).count() >= MAX_ALERTS:
        raise Conflict(_("You can watch at most %(n)d products; delete an alert first.") % {"n": MAX_ALERTS},
                       code="too_many_alerts")
    alert, created = PriceAlert.objects.get_or_create(user_id=user.pk, group_id=group_id,
                                                     defaults={"target_price": target})
    if not created:
        alert = PriceAlert.objects.select_for_update().get(pk=alert.pk)
        alert.target_price = target
        _arm(alert)
        alert.save(update_fields=["target_price", "status", "cycle", "triggered_at", "triggered_price", "updated_at"])
    return alert, created


def _own(user, alert_id: int) -> PriceAlert:
    _shopper(user)
    alert = PriceAlert.objects.select_for_update().filter(pk=alert_id, user_id=user.pk).first()
    if alert is None:  # another shopper's alert is as unknown as a missing one
        raise NotFound(_("No such price alert."))
    return alert


@transaction.atomic
def price_alert_update(*, user, alert_id: int, target_price=None, rearm: bool = False) -> PriceAlert:
    """Change an alert's target and/or re-arm it. A new target re-arms a fired alert too; the
    target must still be below the lowest price now. Nothing given: 400."""
    if target_price is None and not rearm:
        raise field_error("target_price", _("Give a new target price, or re-arm the alert."))
    alert = _own(user, alert_id)
    target = _target(target_price) if target_price is not None else alert.target_price
    _check_target(alert.group_id, target)
    alert.target_price = target
    _arm(alert)
    alert.save(update_fields=["target_price", "status", "cycle", "triggered_at", "triggered_price", "updated_at"])
    return alert


@transaction.atomic
def price_alert_delete(*, user, alert_id: int) -> None:
    """Stop watching. Its notifications stay in the inbox."""
    _own(user, alert_id).delete()


@transaction.atomic
def price_alerts_check(*, group_ids=None) -> int:
    """Fire every armed alert (of these groups, or all) whose target the group's lowest price now
    reaches: mark it triggered, write the shopper's notification, and e-mail them after commit.
    Returns how many fired. Idempotent: an alert fires once per cycle whatever runs at once."""
    params: dict = {"now": timezone.now()}
    groups = ""
    if group_ids is not None:
        params["ids"] = sorted({int(g) for g in group_ids})
        if not params["ids"]:
            return 0
        groups = "AND group_id = ANY(%(ids)s)"
    with connection.cursor() as cursor:
        cursor.execute(FIRE.format(groups=groups), params)
        fired = cursor.fetchall()
    if not fired:
        return 0
    titles = dict(ComparisonGroup.objects.filter(pk__in={row[2] for row in fired}).values_list("pk", "title"))
    data = [json.dumps({"group_title": titles.get(group_id, ""), "price": str(price), "target": str(target),
                        "shop_id": shop_id, "shop_name": shop_name}, ensure_ascii=False)
            for _a, _u, group_id, _c, target, price, shop_id, shop_name in fired]
    with connection.cursor() as cursor:
        cursor.execute(NOTIFY, {"now": params["now"], "kind": NotificationKind.PRICE_DROP,
                                "users": [r[1] for r in fired], "groups": [r[2] for r in fired],
                                "alerts": [r[0] for r in fired], "cycles": [r[3] for r in fired], "data": data})
        written = set(cursor.fetchall())
    emails = dict(_users().filter(pk__in={row[1] for row in fired}).values_list("pk", "email"))
    for alert_id, user_id, group_id, cycle, target, price, _shop_id, shop_name in fired:
        if (alert_id, cycle) not in written:
            continue  # already notified for this cycle
        send_after_commit(to=emails.get(user_id) or "", template="comparison/mail/price_drop.txt", context={
            "title": titles.get(group_id, ""), "price": format_cny(price), "target": format_cny(target),
            "shop_name": shop_name, "url": hosts.mall_url(selectors.product_path(group_id)),
            "alerts_url": hosts.mall_url("/price-alerts/")}, language=settings.LANGUAGE_CODE)
    unread_forget({row[1] for row in fired})
    return len(fired)


def _users():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True)


def alert_of(*, user_id: int, group_id: int) -> PriceAlert | None:
    """The shopper's alert on a group, or None. One query."""
    return PriceAlert.objects.filter(user_id=user_id, group_id=group_id).first()


def alerts_of(user_id: int):
    """The shopper's alerts, newest first, with their group's title (a queryset, for paging)."""
    return PriceAlert.objects.filter(user_id=user_id).annotate(group_title=F("group__title"))


def alerts_move_on_merge(*, from_group_ids: list[int], to_group_id: int) -> None:
    """When groups are merged, their alerts follow (one per shopper: the one already on the
    target wins, else the oldest); the others go with their group."""
    taken = set(PriceAlert.objects.filter(group_id=to_group_id).values_list("user_id", flat=True))
    move = []
    for alert_id, user_id in PriceAlert.objects.filter(group_id__in=from_group_ids).order_by("pk").values_list(
            "pk", "user_id"):
        if user_id not in taken:
            taken.add(user_id)
            move.append(alert_id)
    PriceAlert.objects.filter(pk__in=move).update(group_id=to_group_id)
