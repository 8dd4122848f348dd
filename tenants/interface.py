"""What shop-side code (tenant_apps) may ask of the platform's shop records.

Plain functions over ids; shop code never imports public models directly.
"""

from . import services


def membership_set(*, shop_id: int, user_id: int, role: str) -> None:
    services.membership_set(shop_id=shop_id, user_id=user_id, role=role)


def membership_remove(*, shop_id: int, user_id: int) -> None:
    services.membership_remove(shop_id=shop_id, user_id=user_id)


def shop_rename(*, shop_id: int, name: str) -> None:
    services.shop_rename(shop_id=shop_id, name=name)
