"""The platform's moderation queue (public schema): new products and revisions of listed ones."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    NEW = "new", _("New product")
    REVISION = "revision", _("Revision of a listed product")


class ItemStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ModerationItem(models.Model):
    shop = models.ForeignKey("tenants.Shop", on_delete=models.CASCADE, related_name="+")
    product_id = models.BigIntegerField()
    revision_id = models.BigIntegerField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=ItemKind.choices)
    title = models.CharField(max_length=120)
    before = models.JSONField(default=dict, blank=True)  # the live values (revisions)
    after = models.JSONField(default=dict)  # the values to review
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.PENDING, db_index=True)
    reason = models.CharField(max_length=500, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "product_id"], condition=models.Q(status="pending"),
                                    name="one_pending_moderation_per_product"),
        ]
