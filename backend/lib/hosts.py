"""Which site a host name belongs to, and links between the mall's hosts."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MALL = "mall"
OPS = "ops"
SHOP = "shop"


@dataclass(frozen=True)
class Site:
    kind: str  # MALL, OPS or SHOP
    hostname: str
    subdomain: str = ""


def classify_host(hostname: str) -> Site | None:
    """The site a bare host name (no port) belongs to, or None for a host outside the mall."""
    hostname = hostname.lower().rstrip(".")
    domain = settings.MALL_DOMAIN
    if hostname in (domain, "www." + domain):
        return Site(MALL, hostname)
    if not hostname.endswith("." + domain):
        return None
    label = hostname[: -len(domain) - 1]
    if "." in label or not label:
        return None
    if label == settings.OPS_SUBDOMAIN:
        return Site(OPS, hostname)
    return Site(SHOP, hostname, subdomain=label)


def _origin(hostname: str) -> str:
    port = f":{settings.MALL_PORT}" if settings.MALL_PORT else ""
    return f"{settings.MALL_SCHEME}://{hostname}{port}"


def mall_url(path: str = "/") -> str:
    return _origin(settings.MALL_DOMAIN) + path


def ops_url(path: str = "/") -> str:
    return _origin(f"{settings.OPS_SUBDOMAIN}.{settings.MALL_DOMAIN}") + path


def shop_url(subdomain: str, path: str = "/") -> str:
    return _origin(f"{subdomain}.{settings.MALL_DOMAIN}") + path


def is_mall_url(url: str) -> bool:
    """True when url is an absolute http(s) URL on one of the mall's hosts (open-redirect guard)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    return classify_host(parts.hostname) is not None
