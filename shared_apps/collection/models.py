"""Data collection (数据采集, S4, public schema): product and price data from outside sources.

The patent's data-collection module has five units; here they are:

- collection unit (信息收集单元): `Source` and `ImportRun` (an uploaded file, imported in the
  background), writing `ExternalOffer` rows and their `ExternalPrice` history;
- processing unit (信息处理单元): `parsers` (CSV, JSON, saved web pages with schema.org Product)
  and the row checks in `imports`;
- query statistics unit (查询统计单元) and analysis unit (数据分析单元): `selectors`;
- permission unit (权限管理单元): `CollectedDataGrant` and `access`.

External offers are reference data: they are never sold here, never enter search or carts, and
shoppers see only their price lines on a product page (`selectors.reference_offers`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from backend.lib.money import MoneyField


class SourceKind(models.TextChoices):
    MARKETPLACE = "marketplace", _("Online marketplace")
    BRAND_SITE = "brand_site", _("Brand website")
    PRICE_SITE = "price_site", _("Price comparison site")
    OTHER = "other", _("Other")


class Source(models.Model):
    """Where collected data comes from (数据来源): a marketplace, a brand's site, a price list."""

    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=16, choices=SourceKind.choices, default=SourceKind.MARKETPLACE)
    notes = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(Lower("name"), name="collection_source_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    HTML = "html", _("Web page (HTML)")


class ImportState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportRun(models.Model):
    """One uploaded file of a source, imported in the background (采集批次).

    Counts are rows (CSV lines, JSON items, products of a page): `imported_rows` were written
    (`updated_rows` of them updated an offer the source already had), `failed_rows` were refused
    and have their problems in `errors`. A run whose file cannot be read at all fails with
    `message`. The state moves only as `imports.ALLOWED` says.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="imports")
    file = models.CharField(max_length=300)  # default_storage name, collection/imports/…
    original_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=4, choices=ImportFormat.choices)
    state = models.CharField(max_length=8, choices=ImportState.choices, default=ImportState.QUEUED, db_index=True)
    message = models.CharField(max_length=500, blank=True)  # why the whole run failed
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    imported_rows = models.PositiveIntegerField(default=0)
    updated_rows = models.PositiveIntegerField(default=0)
    failed_rows = models.PositiveIntegerField(default=0)
    matched_rows = models.PositiveIntegerField(default=0)  # imported rows linked to a comparison group
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    language = models.CharField(max_length=10, blank=True)  # the uploader's, for the error messages
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in (ImportState.QUEUED, ImportState.RUNNING)

    @property
    def percent(self) -> int:
        if self.state == ImportState.DONE:
            return 100
        return min(int(self.processed_rows * 100 / self.total_rows), 100) if self.total_rows else 0


class ImportRowError(models.Model):
    """One problem of one row of an import: the row number as the file counts it (a CSV's header
    is row 1; JSON items and page products count from 1), the field and what is wrong."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField()
    field = models.CharField(max_length=40)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["row", "id"]


class MatchKind(models.TextChoices):
    GTIN = "gtin", _("Same GTIN as a mall offer")
    STANDARD_PRODUCT = "standard_product", _("Standard product")
    BRAND_MODEL = "brand_model", _("Brand and model")
    NONE = "", _("Not matched")


class ExternalOffer(models.Model):
    """A product as an outside source sells it (外部参考报价): reference data for comparison,
    never sold here. One row per (source, external id); importing the same id again updates it,
    and each price seen is kept in `prices`. The current fields are those of the newest
    collection: an older file imported later adds history but does not overwrite them."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="offers")
    external_id = models.CharField(max_length=200)
    url = models.URLField(max_length=500, blank=True)
    title = models.CharField(max_length=200)
    brand = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    gtin = models.CharField(max_length=14, blank=True, db_index=True)  # GTIN-14 form
    category = models.ForeignKey("taxonomy.Category", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    category_text = models.CharField(max_length=100, blank=True)  # as the source named it
    price = MoneyField()
    currency = models.CharField(max_length=3, default="CNY")
    sales_count = models.PositiveIntegerField(null=True, blank=True)
    seller = models.CharField(max_length=120, blank=True)
    collected_at = models.DateTimeField(db_index=True)
    raw = models.JSONField(default=dict, blank=True)
    group = models.ForeignKey("comparison.ComparisonGroup", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    match_kind = models.CharField(max_length=20, choices=MatchKind.choices, blank=True, default=MatchKind.NONE)
    matched_at = models.DateTimeField(null=True, blank=True)
    last_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-collected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="collection_offer_source_external_id"),
            models.CheckConstraint(condition=Q(price__gt=0), name="collection_offer_price_positive"),
        ]
        indexes = [models.Index(fields=["group", "price"], name="collection_offer_group_price")]

    def __str__(self) -> str:
        return self.title


class ExternalPrice(models.Model):
    """A reference price as collected at one moment (价格历史): one row per offer and collection
    time, so prices can be analysed over dates. The same moment imported again keeps one row
    with the latest file's figures."""

    offer = models.ForeignKey(ExternalOffer, on_delete=models.CASCADE, related_name="prices")
    price = MoneyField()
    sales_count = models.PositiveIntegerField(null=True, blank=True)
    collected_at = models.DateTimeField()
    run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-collected_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "collected_at"], name="collection_price_offer_moment"),
            models.CheckConstraint(condition=Q(price__gt=0), name="collection_price_positive"),
        ]
        indexes = [models.Index(fields=["collected_at"], name="collection_price_collected")]


class CollectedDataGrant(models.Model):
    """The "collected data" permission of one operator (权限管理): administrators always have it,
    other operators only while an administrator's grant is in force. A revoked grant stays as a
    record; granting again makes a new row. Grants and revocations are audited."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(revoked_at__isnull=True),
                                    name="collection_grant_one_active_per_user"),
        ]
