"""Platform accounts: one per person for the whole mall (public schema)."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.lib import pii


class OperatorRole(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor")
    FINANCE = "finance", _("Finance")
    SERVICE = "service", _("Customer service")


class UserManager(BaseUserManager):
    def create_user(self, email=None, password=None, **extra):
        email = self.normalize_email(email).lower() if email else None
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password, **extra):
        extra.update(is_staff=True, is_superuser=True, operator_role=OperatorRole.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with e-mail or phone; shops see the phone only masked.

    The phone number is stored encrypted (`phone_encrypted`) and found by `phone_hash`, an
    HMAC under a separate key, which also carries the uniqueness constraint.
    """

    email = models.EmailField(null=True, blank=True)
    phone_encrypted = models.TextField(blank=True)
    phone_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    display_name = models.CharField(max_length=60, blank=True)
    operator_role = models.CharField(max_length=16, choices=OperatorRole.choices, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)  # Django admin only; not used by the consoles
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(email__isnull=False) | models.Q(phone_hash__isnull=False),
                name="user_has_email_or_phone",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email or self.masked_phone

    @property
    def phone(self) -> str:
        return pii.decrypt(self.phone_encrypted) if self.phone_encrypted else ""

    def set_phone(self, phone: str | None) -> None:
        self.phone_encrypted = pii.encrypt(phone) if phone else ""
        self.phone_hash = pii.lookup_hash(phone) if phone else None

    @property
    def masked_phone(self) -> str:
        return pii.mask_phone(self.phone) if self.phone_encrypted else ""

    @property
    def is_operator(self) -> bool:
        return bool(self.operator_role) and self.is_active


class SmsPurpose(models.TextChoices):
    REGISTER = "register", _("Register")
    LOGIN = "login", _("Sign in")
    RESET = "reset", _("Password reset")


class SmsCode(models.Model):
    """A one-time code sent by SMS. Only its hash is kept; it expires and is used once."""

    phone_hash = models.CharField(max_length=64, db_index=True)
    purpose = models.CharField(max_length=16, choices=SmsPurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["phone_hash", "purpose", "-created_at"])]


class SandboxSms(models.Model):
    """Messages 'sent' by the sandbox SMS provider, readable on the developer page."""

    phone_masked = models.CharField(max_length=16)
    phone_hash = models.CharField(max_length=64, db_index=True)
    body = models.CharField(max_length=300)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-id"]


class HandoffToken(models.Model):
    """One-time token that carries a sign-in from one mall host to another.

    Session cookies are host-only, so a person signed in at the mall is not signed in at their
    shop's host; the mall issues this token, redirects, and the target host trades it for a
    session of its own. Single use, valid for a minute, bound to the target host.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE)
    target_host = models.CharField(max_length=255)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)


class Address(models.Model):
    """One entry of a person's address book (收货地址), used at checkout.

    The recipient's phone is stored like the account's: encrypted (`phone_encrypted`) with a
    keyed hash (`phone_hash`) for lookups. Region codes are GB/T 2260 codes checked as one path
    (district in city in province) by the services. At most one default per person, held by a
    partial unique index so that two concurrent "make default" requests cannot both win.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    recipient_name = models.CharField(max_length=40)
    phone_encrypted = models.TextField()
    phone_hash = models.CharField(max_length=64, db_index=True)
    province_code = models.CharField(max_length=6)
    city_code = models.CharField(max_length=6)
    district_code = models.CharField(max_length=6)
    detail = models.CharField(max_length=200)
    postal_code = models.CharField(max_length=6, blank=True)
    label = models.CharField(max_length=20, blank=True)  # "Home", "Office" …
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=models.Q(is_default=True),
                                    name="address_one_default_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_name} {self.full_text}"

    @property
    def phone(self) -> str:
        return pii.decrypt(self.phone_encrypted) if self.phone_encrypted else ""

    def set_phone(self, phone: str) -> None:
        self.phone_encrypted = pii.encrypt(phone)
        self.phone_hash = pii.lookup_hash(phone)

    @property
    def masked_phone(self) -> str:
        return pii.mask_phone(self.phone) if self.phone_encrypted else ""

    @property
    def region_text(self) -> str:
        from backend.lib import regions

        return regions.full_text(self.province_code, self.city_code, self.district_code)

    @property
    def full_text(self) -> str:
        return self.region_text + self.detail
