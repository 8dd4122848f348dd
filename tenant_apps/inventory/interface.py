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


def hold(*, reference: str, items: list[tuple], pickup_location_id: int | None, until,
         location_id: int | None = None) -> None:
    """Reserve stock for a sub-order (`reference`) until `until`; 409 insufficient_stock names
    what is short. Items: (sku_id, quantity, unit_price). `location_id`: only from there."""
    from django.utils import timezone

    from . import services

    services.reserve(reference=reference, items=items, pickup_location_id=pickup_location_id,
                     ttl=until - timezone.now(), location_id=location_id)


def flash_pool_fill(*, sku_id: int, quantity: int, reference: str) -> int:
    """Carve `quantity` units of a SKU out of online stock into the shop's flash-sale pool (a
    location of its own that does not sell online), by transfers in allocation order. Returns the
    pool location's id. 409 insufficient_stock when online stock is short."""
    from backend.api.errors import Conflict

    from . import services
    from .models import Location, LocationKind, StockBalance

    pool = Location.objects.filter(code=FLASH_POOL_CODE).first() or services.location_create(data={
        "name": "Flash-sale pool", "code": FLASH_POOL_CODE, "kind": LocationKind.WAREHOUSE,
        "sells_online": False})
    need = quantity
    for location in Location.objects.filter(is_active=True, sells_online=True).order_by("priority", "id"):
        balance = StockBalance.objects.filter(location=location, sku_id=sku_id).first()
        take = min(need, (balance.on_hand - balance.reserved) if balance else 0)
        if take > 0:
            services.transfer(from_location_id=location.pk, to_location_id=pool.pk, items=[(sku_id, take)],
                              reference=reference, actor_user_id=None, reason="flash sale")
            need -= take
        if need == 0:
            return pool.pk
    raise Conflict(f"Insufficient stock: {quantity - need} of {quantity} units available online.",
                   code="insufficient_stock")


def flash_pool_return(*, sku_id: int, reference: str) -> int:
    """The campaign ended: what is left unsold in the pool goes back online (to the first
    location in the allocation order). Returns the units moved."""
    from . import services
    from .models import Location, StockBalance

    pool = Location.objects.filter(code=FLASH_POOL_CODE).first()
    balance = StockBalance.objects.filter(location=pool, sku_id=sku_id).first() if pool else None
    left = (balance.on_hand - balance.reserved) if balance else 0
    target = Location.objects.filter(is_active=True, sells_online=True).order_by("priority", "id").first()
    if left > 0 and target is not None:
        services.transfer(from_location_id=pool.pk, to_location_id=target.pk, items=[(sku_id, left)],
                          reference=reference, actor_user_id=None, reason="flash sale ended")
        return left
    return 0


def flash_pool_available(*, sku_id: int) -> int:
    """Units of the SKU still free in the flash-sale pool (held orders excluded)."""
    from .models import StockBalance

    balance = StockBalance.objects.filter(location__code=FLASH_POOL_CODE, sku_id=sku_id).first()
    return (balance.on_hand - balance.reserved) if balance else 0


FLASH_POOL_CODE = "FLASH-POOL"


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


def sale_return(*, reference: str, items: list[tuple[int, int]], actor_user_id: int | None,
                reason: str = "") -> None:
    """Units of a paid sub-order came back (a refund with return): they go on sale again where
    they were sold from. `items` are (sku_id, quantity)."""
    from . import services

    services.sale_return(reference=reference, items=items, actor_user_id=actor_user_id, reason=reason)


def pickup_location(location_id: int) -> dict | None:
    """An active pickup location's name, address and hours, or None."""
    from .models import Location

    location = Location.objects.filter(pk=location_id, is_active=True, does_pickup=True).first()
    if location is None:
        return None
    return {"id": location.pk, "name": location.name, "address": location.address_detail,
            "opening_hours": location.opening_hours, "phone": location.phone}
