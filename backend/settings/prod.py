from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import STORAGES, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
PII_ENCRYPTION_KEY = env("PII_ENCRYPTION_KEY")
PII_HASH_KEY = env("PII_HASH_KEY")
for _name in ("SECRET_KEY", "PII_ENCRYPTION_KEY", "PII_HASH_KEY"):
    if len(globals()[_name]) < 32:
        raise ImproperlyConfigured(f"{_name} must be set to at least 32 random characters in production")
SMS_SANDBOX_PAGE = env.bool("SMS_SANDBOX_PAGE", default=False)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
STORAGES["staticfiles"] = {
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
}
