"""drf-spectacular's command, documenting every host's API by default (backend.urls_api).

Each host routes only its own API paths, so the project's one OpenAPI document is generated from
the URLconf that mounts all of them; `--urlconf` still picks another."""

from drf_spectacular.management.commands.spectacular import Command as SpectacularCommand


class Command(SpectacularCommand):
    def handle(self, *args, **options):
        options["urlconf"] = options.get("urlconf") or "backend.urls_api"
        return super().handle(*args, **options)
