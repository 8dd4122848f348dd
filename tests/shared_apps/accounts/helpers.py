"""Small helpers shared by the account tests: SMS codes from the sandbox, API calls, timing."""

import re
from datetime import timedelta

from django.db import connection

from backend.lib import pii
from shared_apps.accounts.models import SandboxSms, SmsCode

PHONE = "13800138000"
OTHER_PHONE = "13912345678"
NEW_PASSWORD = "Brand-New-Secret-77"
CODE_RE = re.compile(r"\b(\d{6})\b")


def latest_sms_code(phone: str) -> str:
    """The code in the newest message the sandbox provider 'sent' to `phone` (as /dev/sms/ shows)."""
    message = SandboxSms.objects.filter(phone_hash=pii.lookup_hash(phone)).order_by("-sent_at", "-id").first()
    assert message is not None, f"no SMS was sent to {phone}"
    match = CODE_RE.search(message.body)
    assert match, message.body
    return match.group(1)


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def send_code(client, capture, phone: str = PHONE, purpose: str = "register"):
    """Ask for a code through the API and run the on-commit delivery, as a real request would."""
    with capture(execute=True):
        return client.post("/api/v1/auth/sms/send/", {"phone": phone, "purpose": purpose},
                           content_type="application/json")


def age_sms_codes(phone: str, *, seconds: int) -> None:
    """Pretend every code of `phone` was created (and expires) `seconds` earlier."""
    for code in SmsCode.objects.filter(phone_hash=pii.lookup_hash(phone)):
        code.created_at -= timedelta(seconds=seconds)
        code.expires_at -= timedelta(seconds=seconds)
        code.save(update_fields=["created_at", "expires_at"])


def post_json(client, path: str, data, **extra):
    return client.post(path, data, content_type="application/json", **extra)


def raw_user_row(user_id: int) -> str:
    """Every column of the user's row as the database stores it, joined into one string."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_user WHERE id = %s", [user_id])
        row = cursor.fetchone()
    return " ".join(str(value) for value in row)
