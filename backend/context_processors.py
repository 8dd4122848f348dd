from django.conf import settings

from backend.lib import hosts


def site(request):
    current = getattr(request, "site", None)
    return {
        "site": current,
        "site_kind": current.kind if current else hosts.MALL,
        "shop": getattr(request, "tenant", None),
        "mall_home_url": hosts.mall_url("/"),
        "ops_home_url": hosts.ops_url("/"),
        "MALL_DOMAIN": settings.MALL_DOMAIN,
    }
