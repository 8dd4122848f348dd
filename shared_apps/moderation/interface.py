"""What a shop's catalog tells the platform's moderation queue."""

from django.utils import timezone

from .models import ItemKind, ItemStatus, ModerationItem


def enqueue(*, shop_id: int, product_id: int, kind: str, title: str, after: dict, before: dict | None = None,
            revision_id: int | None = None) -> int:
    """Put a product (or a revision of it) in the operators' queue. A still-pending item for the
    same product is withdrawn: the newest submission is the one to review."""
    ModerationItem.objects.filter(shop_id=shop_id, product_id=product_id, status=ItemStatus.PENDING).update(
        status=ItemStatus.WITHDRAWN, decided_at=timezone.now())
    item = ModerationItem.objects.create(
        shop_id=shop_id, product_id=product_id, kind=kind, title=title[:120], after=after,
        before=before or {}, revision_id=revision_id,
    )
    return item.pk


def withdraw(*, shop_id: int, product_id: int) -> None:
    ModerationItem.objects.filter(shop_id=shop_id, product_id=product_id, status=ItemStatus.PENDING).update(
        status=ItemStatus.WITHDRAWN, decided_at=timezone.now())


__all__ = ["enqueue", "withdraw", "ItemKind"]
