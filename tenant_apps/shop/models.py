"""The shop's own shell, in its schema: profile and staff. No foreign keys to public tables:
people are referenced by their platform user id and checked through the accounts interface."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.lib.media import shop_file_name


def logo_path(instance, filename: str) -> str:
    return shop_file_name("logo", filename, default_ext="img")


class ShopProfile(models.Model):
    """The storefront's face: name, logo, description. One row per schema."""

    name = models.CharField(max_length=60)
    description = models.TextField(blank=True, max_length=2000)
    logo = models.ImageField(upload_to=logo_path, blank=True, max_length=200)
    # Order settings: minutes a shopper has to pay (a checkout takes the earliest of its shops),
    # whether paid orders wait for the shop's confirmation before shipping, and after how many
    # days a delivered order completes by itself, and how many days after delivery the buyer may
    # still ask for after-sales (returns) — the shop is settled for an order only after that.
    payment_minutes = models.PositiveSmallIntegerField(default=30)
    confirm_orders = models.BooleanField(default=False)
    auto_complete_days = models.PositiveSmallIntegerField(default=7)
    after_sales_days = models.PositiveSmallIntegerField(default=7)
    updated_at = models.DateTimeField(auto_now=True)


class StaffRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    MANAGER = "manager", _("Manager")
    CLERK = "clerk", _("Clerk")
    WAREHOUSE = "warehouse", _("Warehouse")
    SERVICE = "service", _("Customer service")


class StaffMember(models.Model):
    user_id = models.BigIntegerField(unique=True)
    email = models.EmailField(blank=True)
    display_name = models.CharField(max_length=60, blank=True)
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at", "id"]

    def __str__(self) -> str:
        return self.display_name or self.email or f"#{self.user_id}"


class StaffInvitation(models.Model):
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by_user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class ApiTokenScope(models.TextChoices):
    """What a shop API token may do. Each scope opens one console section of the shop API
    (see permissions.TOKEN_SCOPES); a write scope includes reading that section."""

    CATALOG_READ = "catalog:read", _("Read products")
    CATALOG_WRITE = "catalog:write", _("Create and change products and prices")
    STOCK_READ = "stock:read", _("Read stock, locations and purchasing")
    STOCK_WRITE = "stock:write", _("Post stock movements, adjustments and purchasing")


class ShopApiToken(models.Model):
    """A machine credential for the shop API (a merchant's ERP syncing products and stock).

    Only a keyed hash of the secret is stored; the secret itself is shown once, when the token
    is made. The row lives in the shop's schema, so the token exists on that shop's host only.
    It acts for the person who made it (`created_by_user_id`, kept in the records it writes),
    limited to its scopes.
    """

    name = models.CharField(max_length=60)
    prefix = models.CharField(max_length=16, help_text="The first characters of the secret.")
    secret_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by_user_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_user_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_expired(self, now) -> bool:
        return self.expires_at is not None and self.expires_at <= now

    def state(self, now) -> str:
        """active, expired or revoked."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.is_expired(now) else "active"
