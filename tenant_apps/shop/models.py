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
