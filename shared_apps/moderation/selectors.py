from django.db.models import QuerySet

from .models import ItemStatus, ModerationItem


def moderation_queue(*, status: str | None = None) -> QuerySet[ModerationItem]:
    """Waiting items oldest first; or every item of one status, newest first."""
    queryset = ModerationItem.objects.select_related("shop", "decided_by")
    if status and status != ItemStatus.PENDING:
        return queryset.filter(status=status).order_by("-decided_at", "-id")
    return queryset.filter(status=ItemStatus.PENDING).order_by("submitted_at", "id")


def diff_rows(item: ModerationItem) -> list[dict]:
    """Side by side: each reviewed field with its live value and the proposed one."""
    names = list(dict.fromkeys([*item.after.keys(), *item.before.keys()]))
    return [
        {"field": name, "before": item.before.get(name, ""), "after": item.after.get(name, ""),
         "changed": item.kind == "revision" and item.before.get(name) != item.after.get(name)}
        for name in names
    ]
