from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who did what to which object, when, from where, with the values before and after.

    Append-only: rows are written by `audit_record` in the same transaction as the change they
    describe, so a rolled-back change leaves no entry and a committed one always has one.
    """

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    actor_label = models.CharField(max_length=120)
    action = models.CharField(max_length=64, db_index=True)
    shop_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
