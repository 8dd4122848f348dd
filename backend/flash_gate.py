"""The flash sale's front gate, in front of Django (WSGI).

When thousands of buyers press "buy" on a sold-out flash sale, each attempt would otherwise pay
for Django's whole request stack (host routing, session, CSRF, auth, idempotency, DRF) only to
be told "sold out". This gate answers exactly those attempts itself: a POST to
`/api/v1/flash/<id>/buy/` on the mall host, carrying a signed-in session bound to that host,
for a sale whose Redis counter says nothing is left. It changes nothing and reveals nothing a
sale page does not show, so it needs no CSRF check; every other request, and every attempt
while units remain, goes to Django untouched (shared_apps/orders/flash_api.py).
"""

import json
import re
from http.cookies import CookieError, SimpleCookie

PATH = re.compile(r"^/api/v1/flash/([0-9]{1,12})/buy/$")
SOLD_OUT = {"en": "Sold out.", "zh": "已售罄。"}


class FlashSoldOutGate:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST":
            match = PATH.match(environ.get("PATH_INFO", ""))
            if match is not None and self._sold_out(environ, int(match.group(1))):
                language = "zh" if environ.get("HTTP_ACCEPT_LANGUAGE", "").lower().startswith("zh") else "en"
                body = json.dumps({"error": {"code": "sold_out", "message": SOLD_OUT[language], "fields": {}}},
                                  ensure_ascii=False).encode()
                start_response("409 Conflict", [("Content-Type", "application/json"),
                                                ("Content-Length", str(len(body))),
                                                ("X-Content-Type-Options", "nosniff"), ("Vary", "Cookie")])
                return [body]
        return self.app(environ, start_response)

    @staticmethod
    def _sold_out(environ, sale_id: int) -> bool:
        from django.conf import settings
        from django.contrib.auth import SESSION_KEY
        from django.contrib.sessions.backends.cached_db import SessionStore
        from django.db import connection

        from shared_apps.accounts.middleware import SESSION_HOST_KEY
        from shared_apps.orders.flash import sold_out

        host = environ.get("HTTP_HOST", "").split(":")[0].rstrip(".").lower()
        if host != settings.MALL_DOMAIN:
            return False
        try:
            cookie = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        except CookieError:
            return False
        morsel = cookie.get(settings.SESSION_COOKIE_NAME)
        if morsel is None or not morsel.value:
            return False
        connection.set_schema_to_public()  # cache keys carry the schema: the mall's is public
        try:
            session = SessionStore(morsel.value)
            if not session.get(SESSION_KEY) or session.get(SESSION_HOST_KEY) not in (None, host):
                return False
            return sold_out(sale_id)
        except Exception:  # noqa: BLE001 - anything odd: let Django answer it properly
            return False
