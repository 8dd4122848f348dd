"""Background work of the comparison engine: regrouping, price history and price alerts. Each task
loads ids and calls services; all of it works in the public schema, whatever schema the task was
sent from (the offer index's hook runs inside a shop's outbox drain)."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from . import alerts, history, services
from .models import GroupMember, PricePoint, PricePointKind

SWEEP_FLAG = "comparison-sweep-running"


def _groups_of(offer_ids) -> set[int]:
    return set(GroupMember.objects.filter(offer_id__in=offer_ids).values_list("group_id", flat=True))


def price_watch(group_ids) -> None:
    """Record the groups' price history and fire the alerts their prices now satisfy."""
    group_ids = set(group_ids)
    if group_ids:
        history.price_points_record(group_ids=group_ids)
        alerts.price_alerts_check(group_ids=group_ids)


@shared_task(ignore_result=True)
def regroup_all() -> int:
    """Regroup every offer (after the similarity threshold changed, or nightly)."""
    with schema_context(get_public_schema_name()):
        moved = services.group_offers().moved
        history.price_points_record(group_ids=None)
        alerts.price_alerts_check()
        return moved


@shared_task(ignore_result=True)
def regroup_changed_offers(batch: int = 20000) -> int:
    """Beat (every few seconds): regroup offers that are new or changed since they were grouped.

    Changes are found by comparing each offer's `updated_at` with the version its membership
    recorded, so an offer committed late is never skipped the way a time watermark could skip it.
    Overlapping runs are deduplicated with a cache flag (and the advisory lock in the service).
    The groups the offers left or joined then get their price history and alerts checked.
    """
    if not cache.add(SWEEP_FLAG, 1, timeout=300):
        return 0
    try:
        moved, touched = 0, set()
        for _round in range(50):  # bounded: a pass never runs forever behind a flood of changes
            ids = services.offers_to_regroup(limit=batch)
            if ids:
                touched |= _groups_of(ids)
                moved += services.group_offers(offer_ids=ids).moved
                touched |= _groups_of(ids)
            if len(ids) < batch:
                break
        price_watch(touched)
        return moved
    finally:
        cache.delete(SWEEP_FLAG)


@shared_task(ignore_result=True)
def prices_changed(*, group_ids: list[int], shop_skus: list[list]) -> None:
    """After the offer index committed price or listing changes (`interface.offers_changed`):
    the groups named and those of the shop SKUs get their history recorded and alerts checked."""
    with schema_context(get_public_schema_name()):
        groups = set(group_ids)
        for shop_id, sku_ids in shop_skus:
            groups |= set(GroupMember.objects.filter(shop_id=shop_id, sku_id__in=sku_ids)
                          .values_list("group_id", flat=True))
        price_watch(groups)


@shared_task(ignore_result=True)
def price_watch_sweep() -> int:
    """Beat (every few minutes): today's daily price snapshot, once (the first run of a day takes
    it; later runs see it and skip), and every armed alert checked against the prices now, so an
    alert whose after-commit task was lost still fires. Returns alerts fired."""
    with schema_context(get_public_schema_name()):
        if not PricePoint.objects.filter(kind=PricePointKind.DAILY, day=timezone.localdate()).exists():
            history.price_snapshot_daily()
        return alerts.price_alerts_check()
