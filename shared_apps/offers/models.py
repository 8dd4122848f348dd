"""The mall offer index (public schema): one row per listed SKU of every shop.

Two tables on purpose: `OfferText` holds what search reads (title, brand, category, attributes,
standard product) and changes rarely; `OfferPrice` holds what changes all the time (price,
member price, stock state, sales). A price or stock change rewrites only the narrow price row,
never a text-indexed one. Rows are written only by the outbox drain (tenant_apps.catalog.outbox).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.lib.money import MoneyField


class StockState(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    LOW = "low", _("Low stock")
    OUT = "out", _("Out of stock")


class OfferText(models.Model):
    shop = models.ForeignKey("tenants.Shop", on_delete=models.CASCADE, related_name="+")
    product_id = models.BigIntegerField()
    sku_id = models.BigIntegerField()
    title = models.CharField(max_length=120)
    brand = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    standard_product_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    attributes = models.JSONField(default=dict, blank=True)
    spec = models.JSONField(default=dict, blank=True)
    gtin = models.CharField(max_length=14, blank=True, db_index=True)
    image = models.CharField(max_length=200, blank=True)  # storage name of the thumbnail
    listed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "sku_id"], name="offer_text_shop_sku")]
        indexes = [models.Index(fields=["shop", "product_id"])]


class OfferPrice(models.Model):
    shop = models.ForeignKey("tenants.Shop", on_delete=models.CASCADE, related_name="+")
    sku_id = models.BigIntegerField()
    product_id = models.BigIntegerField()
    price = MoneyField()
    member_price = MoneyField(null=True, blank=True)
    market_price = MoneyField(null=True, blank=True)
    stock_state = models.CharField(max_length=8, choices=StockState.choices, default=StockState.IN_STOCK)
    sales_count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "sku_id"], name="offer_price_shop_sku")]
        indexes = [models.Index(fields=["shop", "product_id"]), models.Index(fields=["price"])]
