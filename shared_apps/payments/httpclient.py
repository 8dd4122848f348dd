"""The one place payments talk HTTP to the outside (providers, the sandbox's notifier).

Standard library only, so the simulators can use it too. Names under `.localhost` go to the
loopback address as RFC 6761 says (browsers do this; the C resolver often does not), which
lets the sandbox reach the mall at http://mall.localhost:8000 on a developer's machine.
"""

import http.client
import ssl
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MAX_ANSWER_BYTES = 1024 * 1024


class Unreachable(Exception):
    """No HTTP answer: refused, timed out, reset. Worth retrying later."""


class Headers(dict):
    """Response headers, looked up without regard to case."""

    def __init__(self, pairs=()):
        super().__init__((str(k).lower(), v) for k, v in (pairs.items() if isinstance(pairs, dict) else pairs))

    def get(self, name, default=None):
        return super().get(str(name).lower(), default)

    def __getitem__(self, name):
        return super().__getitem__(str(name).lower())

    def __contains__(self, name):
        return super().__contains__(str(name).lower())


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Headers = field(default_factory=Headers)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def request(method: str, url: str, *, body: bytes = b"", headers: dict | None = None,
            timeout: float = 10.0, max_bytes: int = MAX_ANSWER_BYTES) -> Answer:
    """One request; the answer's body is cut at `max_bytes` (ask for one more to notice)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Unreachable(f"not an http(s) URL: {url[:100]}")
    host = parts.hostname
    connect_to = "127.0.0.1" if host == "localhost" or host.endswith(".localhost") else host
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            connect_to, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(connect_to, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    sent_headers = {"Host": parts.netloc, "User-Agent": "mall-payments/1", **(headers or {})}
    try:
        connection.request(method, path, body=body or None, headers=sent_headers)
        response = connection.getresponse()
        data = response.read(max_bytes)
        return Answer(response.status, data, Headers(response.getheaders()))
    except (OSError, http.client.HTTPException) as exc:
        raise Unreachable(f"{exc.__class__.__name__}: {exc}") from exc
    finally:
        connection.close()


def post(url: str, body: bytes, headers: dict | None = None, *, timeout: float = 10.0) -> Answer:
    return request("POST", url, body=body, headers=headers, timeout=timeout)
