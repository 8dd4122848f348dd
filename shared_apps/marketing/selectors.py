"""Reading coupons: each owner's list and one coupon of an owner. `owned_by` is the one rule of
who owns a coupon, used by the services' writes too."""

from django.db.models import Q, QuerySet

from .models import Coupon, CouponFunding


def owned_by(shop_id: int | None) -> Q:
    """The platform's coupons (shop_id None) or one shop's: never both, never another shop's."""
    if shop_id is None:
        return Q(funded_by=CouponFunding.PLATFORM, shop__isnull=True)
    return Q(funded_by=CouponFunding.SHOP, shop_id=shop_id)


def coupons(*, shop_id: int | None) -> QuerySet[Coupon]:
    """One owner's coupons, newest first (one query, no joins: the list shows only the row)."""
    return Coupon.objects.filter(owned_by(shop_id)).order_by("-created_at", "-id")


def coupon(*, coupon_id: int, shop_id: int | None) -> Coupon | None:
    """One coupon of this owner, or None when there is none (or it is someone else's)."""
    return Coupon.objects.filter(owned_by(shop_id), pk=coupon_id).first()
