"""Merchant self-onboarding (入驻): applications, their documents and review history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from backend.lib import pii


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RESUBMITTED = "resubmitted", _("Resubmitted")


class ShopApplication(models.Model):  # 入驻申请
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shop_applications")
    status = models.CharField(max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True)
    shop_name = models.CharField(max_length=60, blank=True)
    subdomain = models.CharField(max_length=30, blank=True)
    company_name = models.CharField(max_length=120, blank=True)
    credit_code = models.CharField(max_length=18, blank=True)  # 统一社会信用代码
    contact_name = models.CharField(max_length=60, blank=True)
    contact_phone_encrypted = models.TextField(blank=True)
    categories = models.ManyToManyField("taxonomy.Category", blank=True, related_name="+")
    bank_name = models.CharField(max_length=60, blank=True)
    bank_branch = models.CharField(max_length=100, blank=True)
    bank_account_name = models.CharField(max_length=120, blank=True)
    bank_account_number_encrypted = models.TextField(blank=True)
    bank_account_last4 = models.CharField(max_length=4, blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.CharField(max_length=500, blank=True)
    shop_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.shop_name or '—'} ({self.get_status_display()})"

    @property
    def contact_phone(self) -> str:
        return pii.decrypt(self.contact_phone_encrypted) if self.contact_phone_encrypted else ""

    @property
    def contact_phone_masked(self) -> str:
        return pii.mask_phone(self.contact_phone) if self.contact_phone_encrypted else ""

    @property
    def bank_account_number(self) -> str:
        enc = self.bank_account_number_encrypted
        return pii.decrypt(enc) if enc else ""

    @property
    def is_editable(self) -> bool:
        return self.status in (ApplicationStatus.DRAFT, ApplicationStatus.REJECTED)


def document_path(instance, filename: str) -> str:
    # Private: never under a public media prefix; served only through permission-checked views.
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"private/onboarding/{instance.application_id}/{uuid.uuid4().hex}.{ext}"


class DocumentKind(models.TextChoices):
    BUSINESS_LICENCE = "business_licence", _("Business licence")
    OTHER = "other", _("Other qualification")


class ApplicationDocument(models.Model):
    application = models.ForeignKey(ShopApplication, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    file = models.FileField(upload_to=document_path, max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class ApplicationTransition(models.Model):
    application = models.ForeignKey(ShopApplication, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    to_status = models.CharField(max_length=16, choices=ApplicationStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]


class BankAccountStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Superseded")


class SettlementBankAccount(models.Model):
    """The account a shop is paid into. A change is a new row pending review; while one is
    pending, the shop's payouts are paused (Shop.payouts_paused)."""

    shop = models.ForeignKey("tenants.Shop", on_delete=models.CASCADE, related_name="bank_accounts")
    status = models.CharField(max_length=12, choices=BankAccountStatus.choices)
    bank_name = models.CharField(max_length=60)
    bank_branch = models.CharField(max_length=100, blank=True)
    account_name = models.CharField(max_length=120)
    account_number_encrypted = models.TextField()
    account_last4 = models.CharField(max_length=4)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["shop"], condition=models.Q(status="active"), name="one_active_bank_account"),
            models.UniqueConstraint(fields=["shop"], condition=models.Q(status="pending"), name="one_pending_bank_account"),
        ]

    @property
    def account_number_masked(self) -> str:
        return "**** **** " + self.account_last4
