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


def hold(*, reference: str, items: list[tuple], pickup_location_id: int | None, until) -> None:
    """Reserve stock for a sub-order (`reference`) until `until`; 409 insufficient_stock names
    what is short. Items: (sku_id, quantity, unit_price)."""
    from django.utils import timezone

    from . import services

    services.reserve(reference=reference, items=items, pickup_location_id=pickup_location_id,
                     ttl=until - timezone.now())


def sell(*, reference: str) -> None:
    """The sub-order was paid (or paid at the counter): its held units become sales."""
    from . import services

    services.commit(reference=reference)


def release(*, reference: str) -> None:
    """The sub-order will not be paid: its held units go back on sale. Nothing held: no-op."""
    from backend.api.errors import NotFound

    from . import services

    try:
        services.release(reference=reference)
    except NotFound:
        pass


def pickup_location(location_id: int) -> dict | None:
    """An active pickup location's name, address and hours, or None."""
    from .models import Location

    location = Location.objects.filter(pk=location_id, is_active=True, does_pickup=True).first()
    if location is None:
        return None
    return {"id": location.pk, "name": location.name, "address": location.address_detail,
            "opening_hours": location.opening_hours, "phone": location.phone}
