"""A shop's catalog, in its own schema: products, their SKUs (variants), media, revisions.

Platform records (category, standard product) are referenced by id, never by foreign key.
"""


from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.lib.media import shop_file_name
from backend.lib.money import MoneyField


def product_image_path(instance, filename: str) -> str:
    return shop_file_name("products", filename)


def product_thumb_path(instance, filename: str) -> str:
    return shop_file_name("thumbs", filename)


def product_video_path(instance, filename: str) -> str:
    return shop_file_name("videos", filename)


class ShopCategory(models.Model):
    """The shop's own shelf categories (店铺分类), independent of the platform tree."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(max_length=40)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]

    def __str__(self) -> str:
        return self.name


class ProductStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    LISTED = "listed", _("Listed")
    DELISTED = "delisted", _("Delisted")


class ProductTag(models.TextChoices):
    NEW = "new", _("New")
    HOT = "hot", _("Hot")
    PROMOTION = "promotion", _("Promotion")


class Product(models.Model):
    """What a buyer sees and the platform moderates. Price and stock live on the SKUs."""

    title = models.CharField(max_length=120)
    subtitle = models.CharField(max_length=200, blank=True)
    brand = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    platform_category_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    attributes = models.JSONField(default=dict, blank=True)  # typed values by attribute code
    standard_product_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    shop_categories = models.ManyToManyField(ShopCategory, blank=True, related_name="products")
    description = models.TextField(blank=True)  # sanitised HTML
    tags = models.JSONField(default=list, blank=True)
    tax_code = models.CharField(max_length=19, blank=True)  # 税收分类编码
    tax_rate = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)  # e.g. 0.13
    weight_grams = models.PositiveIntegerField(default=0)
    video = models.FileField(upload_to=product_video_path, blank=True, max_length=200)
    status = models.CharField(max_length=12, choices=ProductStatus.choices, default=ProductStatus.DRAFT, db_index=True)
    status_reason = models.CharField(max_length=500, blank=True)
    list_at = models.DateTimeField(null=True, blank=True)  # scheduled listing
    delist_at = models.DateTimeField(null=True, blank=True)  # scheduled delisting
    listed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            # The storefront list: listed products, newest listing first.
            models.Index(fields=["-listed_at", "-id"], condition=models.Q(status="listed"), name="product_listed_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_sale(self) -> bool:
        return self.status == ProductStatus.LISTED


class SKU(models.Model):
    """One sellable variant: a combination of spec values (colour × size …) with its prices."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="skus")
    code = models.CharField(max_length=64, unique=True)  # the shop's own SKU code
    gtin = models.CharField(max_length=14, blank=True, db_index=True)  # EAN-13/UPC/GTIN-14
    spec = models.JSONField(default=dict, blank=True)  # {"colour": "黑色", "size": "XL"}
    market_price = MoneyField(null=True, blank=True)
    sale_price = MoneyField()
    member_price = MoneyField(null=True, blank=True)
    cost_price = MoneyField(null=True, blank=True)
    weight_grams = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(sale_price__gte=0), name="sku_sale_price_not_negative"),
        ]

    def __str__(self) -> str:
        return self.code


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to=product_image_path, max_length=200)
    thumbnail = models.ImageField(upload_to=product_thumb_path, max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    sort = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort", "id"]


class ProductStatusChange(models.Model):
    """History of a product's moderation and listing states."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=ProductStatus.choices)
    to_status = models.CharField(max_length=12, choices=ProductStatus.choices)
    actor_user_id = models.BigIntegerField(null=True, blank=True)  # None: the scheduler
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class RevisionStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ProductRevision(models.Model):
    """A buyer-relevant edit of a listed product (title, images, category, attributes,
    description), waiting for review while the live version stays on sale unchanged."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="revisions")
    data = models.JSONField()  # the proposed values of the reviewed fields
    status = models.CharField(max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    created_by_user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=models.Q(status="pending"),
                                    name="one_pending_revision_per_product"),
        ]


class OfferOutbox(models.Model):
    """Transactional outbox: written in the same transaction as the catalog or stock change,
    drained into the mall offer index (public schema) by Celery. Rows are deleted once applied.

    kind "text": the searchable part of a product's offers changed (or it was listed/delisted);
    kind "price": a SKU's price, stock state or sales changed.
    """

    kind = models.CharField(max_length=8)
    product_id = models.BigIntegerField()
    sku_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """One bulk import of products with SKUs from a CSV or XLSX file (批量导入), processed in the
    background. The file stays under the shop's private storage prefix; counts are rows of the
    file (SKU rows); `errors` keeps the first MAX_ERRORS problems as {"row", "column", "message"}."""

    file = models.CharField(max_length=300)  # default_storage name, shops/<schema>/private/imports/…
    original_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=4)  # csv | xlsx
    status = models.CharField(max_length=8, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    message = models.CharField(max_length=500, blank=True)  # why the whole job failed
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)  # SKU rows that created a SKU
    updated_count = models.PositiveIntegerField(default=0)  # SKU rows that updated an existing SKU
    failed_count = models.PositiveIntegerField(default=0)  # rows not written (their product had an error)
    products_created = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)  # the uploader's, for the error messages
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == ImportJobStatus.DONE:
            return 100
        return int(self.processed_rows * 100 / self.total_rows) if self.total_rows else 0
