from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The operator console (运营后台) at ops.MALL_DOMAIN: pages and API over other apps' services."""

    name = "shared_apps.ops"
    label = "ops"
    verbose_name = "Operator console"
