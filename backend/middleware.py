"""Request routing by host, health checks and security headers."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import set_urlconf
from django.utils.cache import patch_vary_headers

from backend.lib.hosts import MALL, OPS, classify_host


class HealthCheckMiddleware:
    """Answers /healthz and /readyz before host validation, so load balancers can ask by IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            return readiness()
        return self.get_response(request)


def readiness() -> JsonResponse:
    checks = {}
    try:
        connection.set_schema_to_public()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - the check reports any failure
        checks["database"] = f"error: {exc.__class__.__name__}"
    try:
        cache.set("readyz", "1", 5)
        checks["redis"] = "ok" if cache.get("readyz") == "1" else "error: no round trip"
    except Exception as exc:  # noqa: BLE001
        checks["redis"] = f"error: {exc.__class__.__name__}"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
    )


class HostRoutingMiddleware:
    """Picks the site and the database schema from the host name.

    The mall host and the operator host work in the public schema; a shop host switches the
    connection to that shop's schema. The schema is set on every request (never inherited from
    the pooled connection's last user), and put back to public when the request ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from tenants.selectors import shop_for_hostname

        connection.set_schema_to_public()
        hostname = request.get_host().split(":")[0].lower()
        site = classify_host(hostname)
        request.site = site
        request.tenant = None
        if site is None:
            return self._not_found(request)
        if site.kind == MALL:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        elif site.kind == OPS:
            request.urlconf = settings.OPS_URLCONF
        else:
            shop = shop_for_hostname(hostname)
            if shop is None:
                return self._not_found(request)
            request.tenant = shop
            connection.set_tenant(shop)
            request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        try:
            return self.get_response(request)
        finally:
            connection.set_schema_to_public()

    @staticmethod
    def _not_found(request):
        set_urlconf(settings.PUBLIC_SCHEMA_URLCONF)
        request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        return render(request, "errors/unknown_shop.html", status=404)


class SecurityHeadersMiddleware:
    CSP = (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Swagger UI runs an inline bootstrap script; every other page runs none.
        if not request.path.startswith("/api/docs"):
            response.setdefault("Content-Security-Policy", self.CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response


class LanguageMiddleware:
    """Chinese unless the visitor chose English with the switch (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; the mall's pages are
    Chinese by default whatever the browser says. The API honours Accept-Language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        if chosen in supported:
            language = chosen
        elif request.path.startswith("/api/"):
            # API clients say what they read with Accept-Language; pages follow the switch only.
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        previous = translation.get_language()
        translation.activate(language)
        request.LANGUAGE_CODE = language
        try:
            response = self.get_response(request)
        finally:
            # The thread's language goes back to what it was: code running after the request in
            # this thread (a Celery task run eagerly, a test) is not left in the page's language.
            translation.activate(previous) if previous else translation.deactivate()
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response
