"""The shopper's in-app inbox (站内通知): notifications written by the comparison engine (price
drops), read and marked read by their owner only.

The unread count shown in the mall's header comes from the cache (a miss costs one COUNT on a
partial index); every write that changes it drops the cached value after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context

from backend.api.errors import NotFound
from backend.lib.money import format_cny

from .models import Notification, NotificationKind
from .selectors import product_path

UNREAD_SECONDS = 300


def _unread_key(user_id: int) -> str:
    return f"comparison:unread:{user_id}"


def unread_forget(user_ids) -> None:
    """Drop the cached unread counts of these people once the transaction commits. The keys are
    made in the public schema whatever schema the caller runs in (the mall's pages read them
    there)."""
    keys = [_unread_key(u) for u in set(user_ids)]
    if not keys:
        return

    def forget():
        with schema_context(get_public_schema_name()):
            cache.delete_many(keys)

    transaction.on_commit(forget, robust=True)


def unread_count(user_id: int) -> int:
    """How many of the person's notifications are unread: cached, else one COUNT."""
    key = _unread_key(user_id)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user_id=user_id, read_at__isnull=True).count()
        cache.set(key, count, timeout=UNREAD_SECONDS)
    return count


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    message: str  # worded in the reader's language
    url: str  # where it leads on the mall host ("" when its product is gone)
    group_id: int | None
    created_at: datetime
    read_at: datetime | None

    @property
    def unread(self) -> bool:
        return self.read_at is None


def _message(row: Notification) -> str:
    data = row.data or {}
    if row.kind == NotificationKind.PRICE_DROP:
        return _("%(title)s is now %(price)s at %(shop)s (your target: %(target)s).") % {
            "title": data.get("group_title", ""), "price": format_cny(_decimal(data.get("price"))),
            "shop": data.get("shop_name", ""), "target": format_cny(_decimal(data.get("target")))}
    return data.get("text", "")


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def view_of(row: Notification) -> NotificationView:
    url = product_path(row.group_id) if row.group_id else ""
    return NotificationView(id=row.pk, kind=row.kind, message=_message(row), url=url, group_id=row.group_id,
                            created_at=row.created_at, read_at=row.read_at)


def notifications_of(user_id: int, *, unread_only: bool = False):
    """The person's notifications, newest first (a queryset, for paging)."""
    rows = Notification.objects.filter(user_id=user_id)
    return rows.filter(read_at__isnull=True) if unread_only else rows


@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> Notification:
    """Mark one of the person's notifications read (again: no change). Another person's or an
    unknown one: 404, so ids reveal nothing."""
    row = Notification.objects.select_for_update().filter(pk=notification_id, user_id=user.pk).first()
    if row is None:
        raise NotFound(_("No such notification."))
    if row.read_at is None:
        row.read_at = timezone.now()
        row.save(update_fields=["read_at"])
        unread_forget([user.pk])
    return row


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the person read; returns how many."""
    count = Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        unread_forget([user.pk])
    return count
