"""What the offer index tells the comparison engine: plain ids in, nothing out.

`shared_apps.offers.interface` calls `offers_changed` inside its transaction whenever it writes
offers' prices (and before it replaces a product's offers, so groups an offer leaves are known).
After that transaction commits, one task records the groups' price history and fires the price
alerts the new prices satisfy. All calls of one transaction make one task.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction


class _Pending:
    """The groups and shop SKUs one transaction changed; called once, after it commits."""

    def __init__(self):
        self.group_ids: set[int] = set()
        self.skus: dict[int, set[int]] = {}
        self.done = False

    def __call__(self):
        from .tasks import prices_changed

        self.done = True
        prices_changed.delay(group_ids=sorted(self.group_ids),
                             shop_skus=[[shop, sorted(skus)] for shop, skus in sorted(self.skus.items())])


def _pending_of_this_transaction() -> _Pending | None:
    if not connection.in_atomic_block:
        return None
    savepoints = set(connection.savepoint_ids)
    for sids, func, _robust in connection.run_on_commit:
        # One queued in this same block does the job (a rollback drops both or neither).
        if isinstance(func, _Pending) and not func.done and sids == savepoints:
            return func
    return None


def offers_changed(*, shop_id: int, sku_ids: Iterable[int] = (), product_id: int | None = None) -> None:
    """The offer index changed these SKUs' prices, or is about to replace `product_id`'s offers.

    With `product_id`, the groups the product's offers are in now are noted at once (a delisted
    offer leaves its group when the transaction deletes it). SKUs are looked up in their groups
    after commit, so offers grouped meanwhile count too.
    """
    from .models import GroupMember

    pending = _pending_of_this_transaction()
    fresh = pending is None
    if fresh:
        pending = _Pending()
    if product_id is not None:
        pending.group_ids.update(GroupMember.objects.filter(shop_id=shop_id, offer__product_id=product_id)
                                 .values_list("group_id", flat=True))
    skus = {int(s) for s in sku_ids}
    if skus:
        pending.skus.setdefault(int(shop_id), set()).update(skus)
    if fresh and (pending.group_ids or pending.skus):
        transaction.on_commit(pending, robust=True)  # outside a transaction: runs now
