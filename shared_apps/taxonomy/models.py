from django.conf import settings
from django.db import models
from django.db.models import Q

# Levels of the tree: 1 = business category (经营类目), 2 and 3 = sub-categories.
MAX_LEVEL = 3


class Category(models.Model):
    """Platform category tree (public schema), up to `MAX_LEVEL` levels deep.

    Top-level rows are the business categories (经营类目) a merchant applies for; they are seeded
    from `data.py` and not edited in the console. Sub-categories are operator-managed; their
    `code` is stable and cannot change once anything refers to it.
    """

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    sort = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    level = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["sort", "id"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    @property
    def is_business_category(self) -> bool:
        return self.parent_id is None


class ValueType(models.TextChoices):
    TEXT = "text", "Text"
    INTEGER = "integer", "Integer"
    DECIMAL = "decimal", "Decimal"
    BOOLEAN = "boolean", "Yes/no"
    CHOICE = "choice", "Choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"


CHOICE_TYPES = frozenset({ValueType.CHOICE, ValueType.MULTI_CHOICE})


class AttributeDefinition(models.Model):
    """A typed attribute template (属性模板) of a category, inherited by every category below it.

    `code` is unique along each root-to-leaf path, so a product's values are one flat
    {code: value} mapping whatever level defined them.
    """

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="attributes")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=40)
    name_en = models.CharField(max_length=60)
    value_type = models.CharField(max_length=16, choices=ValueType.choices)
    unit = models.CharField(max_length=16, blank=True)
    choices = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    is_key = models.BooleanField(default=False, help_text="Identifies a product for comparison.")
    is_spec = models.BooleanField(default=False, help_text="Can define SKU variants (colour, size).")
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="taxonomy_attribute_code_per_category")]

    def __str__(self) -> str:
        return self.code


class StandardProductStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    REJECTED = "rejected", "Rejected"


class StandardProduct(models.Model):
    """A standard product (标准产品, SPU): one real-world product that listings of many shops bind
    to, identified by its GTINs or by brand + model within a category."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="standard_products")
    brand = models.CharField(max_length=80)
    model = models.CharField(max_length=120)
    # Casefolded brand and model with whitespace and punctuation removed: "Apple|iphone15pro".
    key = models.CharField(max_length=210, db_index=True)
    attributes = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=StandardProductStatus.choices, default=StandardProductStatus.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    proposed_by_shop_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.CharField(max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            # A rejected proposal frees its brand+model for a correct one.
            models.UniqueConstraint(fields=["category", "key"], condition=~Q(status="rejected"),
                                    name="taxonomy_spu_key_per_category"),
        ]

    def __str__(self) -> str:
        return f"{self.brand} {self.model}"

    @property
    def gtin_list(self) -> list[str]:
        return [row.gtin for row in self.gtins.all() if row.live]


class StandardProductGtin(models.Model):
    """One GTIN of a standard product, stored as GTIN-14 (zero-padded, as GS1 recommends).

    A row of a rejected proposal stays for the record but is no longer `live`, so the GTIN can be
    given to the right product.
    """

    product = models.ForeignKey(StandardProduct, on_delete=models.CASCADE, related_name="gtins")
    gtin = models.CharField(max_length=14)
    live = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["gtin"], condition=Q(live=True), name="taxonomy_gtin_unique_live"),
        ]
        indexes = [models.Index(fields=["gtin"], name="taxonomy_gtin_idx")]
