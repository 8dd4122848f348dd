"""Background regrouping. Each task loads ids and calls one service."""

from celery import shared_task
from django.core.cache import cache

from . import services

SWEEP_FLAG = "comparison-sweep-running"


@shared_task(ignore_result=True)
def regroup_all() -> int:
    """Regroup every offer (after the similarity threshold changed, or nightly)."""
    return services.group_offers().moved


@shared_task(ignore_result=True)
def regroup_changed_offers(batch: int = 20000) -> int:
    """Beat (every few seconds): regroup offers that are new or changed since they were grouped.

    Changes are found by comparing each offer's `updated_at` with the version its membership
    recorded, so an offer committed late is never skipped the way a time watermark could skip it.
    Overlapping runs are deduplicated with a cache flag (and the advisory lock in the service).
    """
    if not cache.add(SWEEP_FLAG, 1, timeout=300):
        return 0
    try:
        moved = 0
        for _round in range(50):  # bounded: a pass never runs forever behind a flood of changes
            ids = services.offers_to_regroup(limit=batch)
            if ids:
                moved += services.group_offers(offer_ids=ids).moved
            if len(ids) < batch:
                break
        return moved
    finally:
        cache.delete(SWEEP_FLAG)
