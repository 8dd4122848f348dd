"""Reads of shops for request routing and the consoles."""

from django.core.cache import cache
from redis.exceptions import RedisError

from .models import Domain, Shop, ShopMembership

HOST_CACHE_SECONDS = 300


def _host_key(hostname: str) -> str:
    return f"shop-host:{hostname}"


def shop_for_hostname(hostname: str) -> Shop | None:
    """The shop served at `hostname`, from the cache or the domain table.

    Cached as plain values under a key in the public namespace; every change of a shop's
    routing-relevant fields (status, name, domain) clears it through `shop_host_cache_clear`.
    """
    key = _host_key(hostname)
    try:
        cached = cache.get(key)
    except RedisError:  # Redis down: read the database, and keep nothing
        cached, key = None, None
    if cached is None:
        domain = Domain.objects.select_related("tenant").filter(domain=hostname).first()
        shop = domain.tenant if domain else None
        cached = {} if shop is None else {
            "id": shop.pk, "schema_name": shop.schema_name, "subdomain": shop.subdomain,
            "name": shop.name, "status": shop.status, "owner_id": shop.owner_id,
            "company_name": shop.company_name, "payouts_paused": shop.payouts_paused,
        }
        if key is not None:
            cache.set(key, cached, HOST_CACHE_SECONDS if cached else 30)
    if not cached:
        return None
    shop = Shop(**cached)
    shop._state.adding = False
    shop.domain_url = hostname
    return shop


def shop_host_cache_clear(shop: Shop) -> None:
    hostnames = list(Domain.objects.filter(tenant=shop).values_list("domain", flat=True))
    cache.delete_many([_host_key(h) for h in hostnames])


def shops_of(*, user) -> list[Shop]:
    """Shops where `user` has a staff membership, for the mall's 'my shops' menu."""
    return list(
        Shop.objects.filter(memberships__user=user).order_by("name")
    )


def membership_role(*, shop_id: int, user_id: int) -> str | None:
    return ShopMembership.objects.filter(shop_id=shop_id, user_id=user_id).values_list("role", flat=True).first()
