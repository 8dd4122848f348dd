"""What other shop-side code (the catalog's offer projection, checkout later) reads of stock."""

from django.db.models import F, Sum

from .models import StockBalance


def available_online(sku_ids) -> dict[int, int]:
    """Units that can be sold online per SKU: on-hand less reserved, over active locations that
    sell online. SKUs without stock are absent (0)."""
    rows = (
        StockBalance.objects.filter(sku_id__in=list(sku_ids), location__is_active=True,
                                    location__sells_online=True)
        .values("sku_id").annotate(available=Sum(F("on_hand") - F("reserved")))
    )
    return {row["sku_id"]: row["available"] for row in rows}
