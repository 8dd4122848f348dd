"""Personal data at rest: encrypted (Fernet, AES-128-CBC + HMAC) and found by a keyed hash.

The hash is HMAC-SHA256 under its own key, so equality lookups and unique constraints work
without the plaintext, and a leaked table cannot be reversed by hashing every phone number.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(key_material.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet(settings.PII_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.PII_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def lookup_hash(value: str) -> str:
    return hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def mask_phone(phone: str) -> str:
    """138****5678: what shops and logs may see of a phone number."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"
