from django.conf import settings

from backend.lib import hosts


def site(request):
    current = getattr(request, "site", None)
    extra = {}
    if current is not None and current.kind == hosts.OPS:
        from shared_apps.ops.views import capabilities

        extra["can"] = capabilities(request.user)  # the operator nav shows only what the role opens
    return {
        **extra,
        "site": current,
        "site_kind": current.kind if current else hosts.MALL,
        "shop": getattr(request, "tenant", None),
        "mall_home_url": hosts.mall_url("/"),
        "ops_home_url": hosts.ops_url("/"),
        "MALL_DOMAIN": settings.MALL_DOMAIN,
    }
