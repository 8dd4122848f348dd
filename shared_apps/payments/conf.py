"""Payment settings, read from Django settings first, then the environment, then a default.

backend/settings does not list them: every one has a default that makes the sandbox work out
of the box, and a deployment sets the ones it needs as environment variables of the same name.
Keys may be given as PEM text or as the path of a PEM file.
"""

import hashlib
import hmac
import logging
import os
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from backend.lib import hosts

log = logging.getLogger(__name__)
_MISSING = object()


def value(name: str, default=""):
    """PAYMENTS_* from settings, else from the environment, else `default`."""
    found = getattr(settings, name, _MISSING)
    if found is _MISSING:
        found = os.environ.get(name, default)
    return found


def flag(name: str, default: bool) -> bool:
    found = value(name, default)
    if isinstance(found, str):
        return found.strip().lower() in ("1", "true", "yes", "on")
    return bool(found)


def rate(name: str, default: str) -> Decimal:
    return Decimal(str(value(name, default)))


def pem(name: str) -> bytes:
    """A key or certificate: PEM text in the setting, or the path of a PEM file."""
    text = str(value(name, "") or "").strip()
    if not text:
        return b""
    if text.startswith("-----BEGIN"):
        return text.replace("\\n", "\n").encode()
    try:
        return Path(text).read_bytes()
    except OSError:
        log.error("%s names a file that cannot be read; the provider stays off", name)
        return b""


def notify_url(provider: str) -> str:
    """Where a provider sends its asynchronous notifications: the mall's public address.

    PAYMENTS_NOTIFY_BASE_URL overrides it when the provider reaches the mall by another name
    (a tunnel in development, the public domain behind a proxy)."""
    base = str(value("PAYMENTS_NOTIFY_BASE_URL", "") or "").rstrip("/")
    path = f"/pay/notify/{provider}/"
    return base + path if base else hosts.mall_url(path)


def return_url(number: str) -> str:
    return hosts.mall_url(f"/pay/return/{number}/")


def sandbox_secret() -> bytes:
    """The sandbox's signing key: PAYMENTS_SANDBOX_SECRET, else derived from SECRET_KEY so
    that a fresh checkout works without configuration and no two deployments share one."""
    configured = str(value("PAYMENTS_SANDBOX_SECRET", "") or "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"payments-sandbox", hashlib.sha256).hexdigest().encode()


def sandbox_backoff() -> list[int]:
    """Seconds between the sandbox's notification attempts (like Alipay's 4m, 10m, 1h … but
    shorter so a developer sees retries happen)."""
    configured = value("PAYMENTS_SANDBOX_NOTIFY_BACKOFF", "")
    if isinstance(configured, (list, tuple)):
        return [int(x) for x in configured]
    if configured:
        return [int(x) for x in str(configured).split(",") if x.strip()]
    return [15, 30, 60, 300, 900, 1800, 3600, 7200]


def reconcile_after_seconds() -> int:
    return int(value("PAYMENTS_RECONCILE_AFTER_SECONDS", 180))


def reconcile_window_hours() -> int:
    return int(value("PAYMENTS_RECONCILE_WINDOW_HOURS", 48))


def http_timeout() -> float:
    return float(value("PAYMENTS_HTTP_TIMEOUT", 10))
