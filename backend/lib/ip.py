"""The client's IP address, as the account limits (SMS per network, sign-in lockout) count it."""

import ipaddress

from rest_framework.settings import api_settings


def _valid(value: str | None) -> bool:
    try:
        ipaddress.ip_address(value or "")
    except ValueError:
        return False
    return True


def client_ip(request) -> str | None:
    """The address of whoever sent `request`, trusting exactly NUM_PROXIES proxies in front.

    Behind nginx REMOTE_ADDR is nginx itself, so every visitor would share one address and one
    person's failures would throttle everybody. With NUM_PROXIES = n the client is the n-th
    address from the right of X-Forwarded-For (what our own proxies appended, so the client
    cannot forge it); this is the rule DRF's throttles use, so all limits agree. Anything that
    is not an IP address falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = api_settings.NUM_PROXIES or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        candidate = hops[-min(proxies, len(hops))]
        if _valid(candidate):
            return candidate
    return remote if _valid(remote) else None
