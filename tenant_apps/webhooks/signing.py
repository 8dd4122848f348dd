"""How a delivery is signed, and how a receiver checks it (pure functions, no Django).

`X-Mall-Signature: v1=<hex>` where hex is HMAC-SHA256, keyed with the subscription's secret,
of `"<X-Mall-Timestamp>.<raw request body>"`. The timestamp (Unix seconds) is inside the signed
text, so a captured request cannot be replayed later with a fresh timestamp: receivers refuse
timestamps older than a few minutes.
"""

import hashlib
import hmac
import time

SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int | str, body: bytes) -> str:
    """The header value for `body` sent at `timestamp`."""
    message = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """What a receiver does: the timestamp is recent and one `v1=` value matches (compared in
    constant time). Several comma-separated values are accepted for future key overlap."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - sent_at) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=sent_at, body=body)
    return any(hmac.compare_digest(expected, part.strip()) for part in header.split(","))
