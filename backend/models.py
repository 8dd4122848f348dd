"""Platform-wide tables that belong to no domain app (public schema)."""

from django.db import models


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` claimed by one caller on one host, and the first response to it.

    The row is claimed (INSERT … ON CONFLICT DO NOTHING) before the view runs, with
    `status_code` NULL while the first request is still running; the response is written into
    it afterwards. See backend/api/idempotency.py for the rules. It lives in the public schema
    and its key includes the host, so two shops' callers can never meet in it.
    """

    host = models.CharField(max_length=255)
    principal = models.CharField(
        max_length=200, help_text="Who called: hashes of the credentials the request carried."
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2000)
    status_code = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="NULL while the first request is still running."
    )
    content_type = models.CharField(max_length=200, blank=True, default="")
    headers = models.JSONField(default=dict, blank=True)
    body = models.BinaryField(default=b"", blank=True)
    replayable = models.BooleanField(
        default=True,
        help_text="False when the first response was not kept (it held a secret or was too big).",
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["host", "principal", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
