"""One cart per shopper across shops (public schema). A guest's cart belongs to their session
and is merged into their own cart when they sign in. Lines keep the SKU's identity and the
price seen when added; what is shown (title, image, current price, stock state, the shop's
state) is read from the mall offer index, so a price change or a sell-out is flagged."""

from django.db import models
from django.db.models import Q

from backend.lib.money import MoneyField

MAX_LINES = 100
MAX_QUANTITY = 999


class Cart(models.Model):
    user_id = models.BigIntegerField(null=True, blank=True, unique=True)
    session_key = models.CharField(max_length=40, null=True, blank=True, unique=True)  # guests
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(user_id__isnull=False) | Q(session_key__isnull=False),
                                   name="cart_has_owner"),
        ]


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    shop = models.ForeignKey("tenants.Shop", on_delete=models.CASCADE, related_name="+")
    sku_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    price_when_added = MoneyField()
    selected = models.BooleanField(default=True)  # ticked for checkout
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shop_id", "added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "shop", "sku_id"], name="cartline_one_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0) & Q(quantity__lte=MAX_QUANTITY),
                                   name="cartline_quantity_range"),
        ]
