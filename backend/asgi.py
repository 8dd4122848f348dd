"""ASGI entry point, kept for what needs it (websockets, later). Plain HTTP is served by WSGI."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.dev")
application = get_asgi_application()
