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
