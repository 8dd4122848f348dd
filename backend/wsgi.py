import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings.dev")
django_application = get_wsgi_application()

from backend.flash_gate import FlashSoldOutGate  # noqa: E402  (needs Django set up)

application = FlashSoldOutGate(django_application)
