"""Shops (tenants), their host names, and the ready-made schemas that provisioning uses."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class ShopStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")


class Shop(TenantMixin):
    """A merchant's shop. Its schema holds everything the shop runs; this row is the platform's."""

    subdomain = models.CharField(max_length=30)
    name = models.CharField(max_length=60)
    company_name = models.CharField(max_length=120)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_shops")
    application_id = models.BigIntegerField(null=True, blank=True, unique=True)
    status = models.CharField(max_length=16, choices=ShopStatus.choices, default=ShopStatus.ACTIVE)
    status_reason = models.CharField(max_length=500, blank=True)
    # A settlement bank account change under review pauses payouts until it is approved.
    payouts_paused = models.BooleanField(default=False)
    # The shop's rating (店铺评分, 0.00–5.00) as shoppers see it in search and comparison, and how
    # many ratings it rests on; written by the reviews capability (A2), null until a shop has one.
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    rating_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are made by tenants.provisioning (template clone or ready pool), never by save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("subdomain"), name="shop_subdomain_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.subdomain})"

    @property
    def is_active(self) -> bool:
        return self.status == ShopStatus.ACTIVE

    @property
    def is_read_only(self) -> bool:
        return self.status != ShopStatus.ACTIVE


class Domain(DomainMixin):
    pass


class ShopStatusChange(models.Model):
    """History of a shop's lifecycle: who moved it, from what, to what, and why."""

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=ShopStatus.choices)
    to_status = models.CharField(max_length=16, choices=ShopStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reason = models.CharField(max_length=500)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]


class ShopMembership(models.Model):
    """Public index of who works in which shop, kept by the shop's staff services.

    The shop's own schema holds the staff record and role (tenant_apps.shop.StaffMember); this row
    lets the mall list "my shops" and lets sign-in know where a person may go, without a
    request ever looping over shop schemas.
    """

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shop_memberships")
    role = models.CharField(max_length=24)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="shop_membership_unique")]


class ReadySchema(models.Model):
    """A schema already built from the template, waiting to be renamed into a new shop."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)


class TemplateSnapshot(models.Model):
    """The shop template schema's DDL, captured after every migration, replayed to make a shop."""

    fingerprint = models.CharField(max_length=64, unique=True)
    ddl = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
