"""SMS provider interface and the sandbox provider used in development and tests."""

from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from backend.lib import pii


class SmsProvider(Protocol):
    def send(self, *, phone: str, message: str) -> None: ...


class SandboxSmsProvider:
    """Keeps messages in the database, where the developer page /dev/sms/ shows them."""

    def send(self, *, phone: str, message: str) -> None:
        from .models import SandboxSms

        SandboxSms.objects.create(
            phone_masked=pii.mask_phone(phone), phone_hash=pii.lookup_hash(phone), body=message
        )


def get_provider() -> SmsProvider:
    return import_string(settings.SMS_PROVIDER)()


def sandbox_enabled() -> bool:
    return settings.SMS_SANDBOX_PAGE and settings.SMS_PROVIDER.endswith("SandboxSmsProvider")
