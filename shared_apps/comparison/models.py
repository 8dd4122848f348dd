"""The comparison engine's groups (比价分组, public schema): which offers of the mall index are the
same product, so a product page can show every shop's price for it.

Rows are written only by `services` (the automatic grouping and operators' merges and splits).
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backend.lib.money import MoneyField


class GroupKind(models.TextChoices):
    STANDARD_PRODUCT = "standard_product", _("Standard product")
    BRAND_MODEL = "brand_model", _("Brand and model")
    SIMILAR_TITLE = "similar_title", _("Similar title")


class ComparisonGroup(models.Model):
    """One product as shoppers compare it across shops (比价组).

    `key` is the normalised key the automatic grouping files offers under ("sp:42|cap=512",
    "bm:7:apple|iphone15pro|cap=256"); groups of similar titles and groups an operator split
    off get a random key, since no value of their offers names them. `locked` groups were
    merged or split by an operator: the automatic grouping never moves their members.
    """

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=20, choices=GroupKind.choices)
    title = models.CharField(max_length=120)
    brand = models.CharField(max_length=60, blank=True)
    model = models.CharField(max_length=60, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    standard_product_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    locked = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class GroupAlias(models.Model):
    """A key that now files offers into another group: the keys of groups an operator merged
    away, so offers listed later under them join the merged group."""

    key = models.CharField(max_length=255, unique=True)
    group = models.ForeignKey(ComparisonGroup, on_delete=models.CASCADE, related_name="aliases")


class GroupMember(models.Model):
    """An offer's place in a group: each offer is in exactly one group (the unique offer).

    `offer_version` is the offer's `updated_at` when it was last grouped, so the sweep finds the
    offers changed since with one anti-join, without a watermark that could miss a late commit.
    `shop_id`/`sku_id` repeat the offer's, for reads by shop SKU.
    """

    offer = models.OneToOneField("offers.OfferText", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(ComparisonGroup, on_delete=models.CASCADE, related_name="members")
    shop_id = models.BigIntegerField()
    sku_id = models.BigIntegerField()
    offer_version = models.DateTimeField(null=True, blank=True)
    # Rule c's title tokens of the offer at `offer_version` (before brand folding), so regrouping
    # a category does not cut every unchanged title again.
    tokens = ArrayField(models.CharField(max_length=64), default=list, blank=True)

    class Meta:
        indexes = [models.Index(fields=["shop_id", "sku_id"], name="comparison_member_shop_sku")]


class GroupSettings(models.Model):
    """The operators' knobs of the grouping: one row (pk 1). Changes are audited
    (`comparison.settings_update` entries hold the old and new values)."""

    similarity_threshold = models.DecimalField(
        max_digits=3, decimal_places=2, default=Decimal("0.60"),
        validators=[MinValueValidator(Decimal("0.30")), MaxValueValidator(Decimal("1.00"))])
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name_plural = "group settings"


# --- price history, price-drop alerts, shoppers' notifications ---------------------------------


class PricePointKind(models.TextChoices):
    CHANGE = "change", _("Price change")
    DAILY = "daily", _("Daily snapshot")


class PricePoint(models.Model):
    """One point of a group's price history (价格走势): its lowest price and how many offers it had.

    Append-only, written by `history`: a `change` row when the lowest price moved (after the offer
    index committed a price or listing change, or a regrouping moved offers), and one `daily` row
    per group and day (the partial unique index makes the daily snapshot safe to run again).
    `lowest_price` counts in-stock offers of active shops only (what a shopper could buy); null
    when there is none.
    """

    group = models.ForeignKey(ComparisonGroup, on_delete=models.CASCADE, related_name="price_points")
    at = models.DateTimeField()
    day = models.DateField()  # `at` as a date in the mall's time zone
    kind = models.CharField(max_length=8, choices=PricePointKind.choices)
    lowest_price = MoneyField(null=True, blank=True)
    offer_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["group", "at"], name="comparison_point_group_at")]
        constraints = [models.UniqueConstraint(fields=["group", "day"], condition=Q(kind="daily"),
                                               name="comparison_point_one_daily")]


class AlertStatus(models.TextChoices):
    ARMED = "armed", _("Watching")
    TRIGGERED = "triggered", _("Notified")


class PriceAlert(models.Model):
    """A shopper's price-drop alert on a group (降价提醒): notify me once when any shop sells it for
    `target_price` or less.

    One per shopper and group (subscribing again changes the target). Moves: armed → triggered
    (the price reached the target; one notification per `cycle`) → armed again when the shopper
    re-arms it or sets a new target, which starts the next cycle. See `alerts.ALLOWED`.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(ComparisonGroup, on_delete=models.CASCADE, related_name="price_alerts")
    target_price = MoneyField()
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.ARMED)
    cycle = models.PositiveIntegerField(default=1)
    triggered_at = models.DateTimeField(null=True, blank=True)
    triggered_price = MoneyField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "group"], name="comparison_alert_one_per_group"),
            models.CheckConstraint(condition=Q(target_price__gt=0), name="comparison_alert_target_positive"),
        ]
        indexes = [models.Index(fields=["group"], condition=Q(status="armed"), name="comparison_alert_armed")]


class NotificationKind(models.TextChoices):
    PRICE_DROP = "price_drop", _("Price drop")


class Notification(models.Model):
    """A message in a shopper's in-app inbox (站内通知).

    `data` holds the facts (group title, price, target, shop); the text is worded when shown, in
    the reader's language. A price-drop notification is unique per alert and cycle, so however
    many price changes race to trigger one alert, the shopper hears of it once.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=NotificationKind.choices)
    group = models.ForeignKey(ComparisonGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    alert = models.ForeignKey(PriceAlert, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    alert_cycle = models.PositiveIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["alert", "alert_cycle"], condition=Q(alert__isnull=False),
                                               name="comparison_notification_once_per_cycle")]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="comparison_notification_user"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="comparison_notification_unread"),
        ]
