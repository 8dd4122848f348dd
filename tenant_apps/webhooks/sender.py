"""Checking a webhook URL and sending one POST to it (no Django models here).

A merchant's URL must not let the mall's servers reach its own private network (SSRF): the host
is resolved and every address it resolves to must be public, unless
settings.WEBHOOKS_ALLOW_PRIVATE is on (development and tests, with a receiver on 127.0.0.1).
The check runs when the URL is saved *and* at every attempt, and the request then connects to
the very address that was checked (the Host header and TLS name stay the URL's host), so a DNS
answer that changes between check and connect (DNS rebinding) cannot slip through. Redirects
are not followed: a 3xx answer is a failed attempt.
"""

import http.client
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

TIMEOUT_SECONDS = 10
SNIPPET_BYTES = 1024
USER_AGENT = "Mall-Webhooks/1"


class UrlRefused(ValueError):
    """The URL cannot be used; the message says why (shown to the merchant)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address to connect to


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    snippet: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a well-formed http(s) URL, or UrlRefused."""
    url = (url or "").strip()
    if not url:
        raise UrlRefused(_("Enter the URL that should receive the events."))
    if len(url) > 500:
        raise UrlRefused(_("At most 500 characters."))
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise UrlRefused(_("The URL must not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused(_("This is not a valid URL.")) from None
    if parts.scheme not in ("http", "https"):
        raise UrlRefused(_("The URL must start with http:// or https://."))
    if not parts.hostname:
        raise UrlRefused(_("The URL has no host name."))
    if parts.username or parts.password:
        raise UrlRefused(_("The URL must not contain a user name or password."))
    if parts.fragment:
        raise UrlRefused(_("The URL must not contain a #fragment."))
    host = parts.hostname
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, host, port, path


def resolve(url: str, *, allow_private: bool) -> Target:
    """Parse and resolve the URL; refuse private, loopback and other non-public addresses
    (any of the host's addresses) unless `allow_private`."""
    scheme, host, port, path = parse(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UrlRefused(_("The host %(host)s could not be resolved.") % {"host": host}) from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise UrlRefused(_("The host %(host)s could not be resolved.") % {"host": host})
    if not allow_private:
        for address in addresses:
            if not _is_public(address):
                raise UrlRefused(
                    _(
                        "The host %(host)s points at a private or local address (%(address)s); "
                        "webhooks go to public addresses only."
                    )
                    % {"host": host, "address": address}
                )
    return Target(scheme=scheme, host=host, port=port, path=path, address=addresses[0])


def post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    allow_private: bool,
    timeout: float = TIMEOUT_SECONDS,
) -> SendResult:
    """POST `body` to `url`; never raises. The first SNIPPET_BYTES of the answer are kept."""
    started = time.monotonic()

    def done(status_code=None, snippet="", error="") -> SendResult:
        elapsed = int((time.monotonic() - started) * 1000)
        return SendResult(
            status_code=status_code, snippet=snippet, error=error[:500], duration_ms=elapsed
        )

    try:
        target = resolve(url, allow_private=allow_private)
    except UrlRefused as exc:
        return done(error=str(exc))
    connection_class = (
        http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
    )
    conn = connection_class(target.host, target.port, timeout=timeout)

    # Connect to the address that was checked, not to whatever the name resolves to now.
    def create_connection(_address, conn_timeout=timeout, source_address=None):
        return socket.create_connection((target.address, target.port), conn_timeout, source_address)

    conn._create_connection = create_connection
    try:
        conn.request(
            "POST",
            target.path,
            body=body,
            headers={"User-Agent": USER_AGENT, "Content-Type": "application/json", **headers},
        )
        response = conn.getresponse()
        raw = response.read(SNIPPET_BYTES)
        return done(status_code=response.status, snippet=raw.decode("utf-8", errors="replace"))
    except TimeoutError:
        return done(error=_("No answer within %(n)d seconds.") % {"n": int(timeout)})
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return done(error=f"{exc.__class__.__name__}: {exc}")
    finally:
        conn.close()
