"""Coupons (public schema): the minimal kind the checkout needs so money is split right from the
start. A platform coupon is funded by the platform and may cover lines of any shop; a shop
coupon is funded by its shop and covers only that shop's lines. Both take an amount off when the
covered goods reach a threshold (满减), are typed in by code, and are counted per use."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backend.lib.money import MoneyField


class CouponFunding(models.TextChoices):
    PLATFORM = "platform", _("Platform")
    SHOP = "shop", _("Shop")


class CouponStatus(models.TextChoices):
    """Where a coupon stands at a moment; derived from its fields, never stored."""

    ACTIVE = "active", _("Active")
    SCHEDULED = "scheduled", _("Not started")
    EXPIRED = "expired", _("Expired")
    USED_UP = "used_up", _("Used up")
    INACTIVE = "inactive", _("Deactivated")


class Coupon(models.Model):
    code = models.CharField(max_length=32, unique=True)  # stored upper-case
    name = models.CharField(max_length=60)
    funded_by = models.CharField(max_length=8, choices=CouponFunding.choices)
    shop = models.ForeignKey("tenants.Shop", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="coupons")  # set exactly for shop coupons
    amount_off = MoneyField()
    min_goods_amount = MoneyField(default=0)  # the covered goods must reach this
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    total_quantity = models.PositiveIntegerField()  # uses available in all
    used_quantity = models.PositiveIntegerField(default=0)
    per_user_limit = models.PositiveSmallIntegerField(default=1)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(used_quantity__lte=F("total_quantity")), name="coupon_not_overused"),
            models.CheckConstraint(condition=Q(amount_off__gt=0), name="coupon_amount_positive"),
            models.CheckConstraint(
                condition=(Q(funded_by="platform", shop__isnull=True) | Q(funded_by="shop", shop__isnull=False)),
                name="coupon_funding_matches_shop"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="coupon_valid_window"),
        ]

    def __str__(self) -> str:
        return self.code

    def status_at(self, now) -> CouponStatus:
        """Deactivated first (final), then the validity window, then whether uses are left."""
        if not self.is_active:
            return CouponStatus.INACTIVE
        if now < self.valid_from:
            return CouponStatus.SCHEDULED
        if now >= self.valid_until:
            return CouponStatus.EXPIRED
        if self.used_quantity >= self.total_quantity:
            return CouponStatus.USED_UP
        return CouponStatus.ACTIVE


class CouponUse(models.Model):
    """One coupon applied to one order; released (deleted) when the order expires unpaid."""

    coupon = models.ForeignKey(Coupon, on_delete=models.PROTECT, related_name="uses")
    user_id = models.BigIntegerField()
    order_number = models.CharField(max_length=20)
    amount = MoneyField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["coupon", "order_number"], name="coupon_once_per_order"),
        ]
        indexes = [models.Index(fields=["coupon", "user_id"], name="couponuse_coupon_user")]


class FlashSaleStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    ACTIVE = "active", _("On now")
    ENDED = "ended", _("Ended")


class FlashSale(models.Model):
    """A flash sale of one SKU: `quantity` units carved out of the shop's online stock when it
    starts, sold at `price` with a short payment hold and a per-person limit. PostgreSQL (the
    carved pool in the shop's schema, the claims here) is the truth; Redis only turns away the
    crowd once the units are gone (see flash.py)."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.CASCADE, related_name="flash_sales")
    sku_id = models.BigIntegerField()  # in the shop's schema
    title = models.CharField(max_length=120)
    price = MoneyField()
    quantity = models.PositiveIntegerField()
    per_person_limit = models.PositiveSmallIntegerField(default=1)
    hold_minutes = models.PositiveSmallIntegerField(default=5)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=FlashSaleStatus.choices, default=FlashSaleStatus.SCHEDULED)
    pool_location_id = models.BigIntegerField(null=True, blank=True)  # the carved pool, in the shop's schema
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(price__gt=0), name="flash_quantity_price_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flash_window"),
            models.CheckConstraint(condition=Q(per_person_limit__gte=1) & Q(hold_minutes__gte=1),
                                   name="flash_limits_positive"),
        ]


class FlashClaim(models.Model):
    """One unit slot of a flash sale taken by one person for one order. The unique slot per
    person is the per-person limit, enforced by the database whatever races."""

    sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="claims")
    user_id = models.BigIntegerField()
    slot = models.PositiveSmallIntegerField()  # 1 … per_person_limit
    order_number = models.CharField(max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sale", "user_id", "slot"], name="flash_claim_per_person_slot"),
        ]
