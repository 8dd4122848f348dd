from .base import *  # noqa: F401,F403
from .base import BASE_DIR, LOGGING, env

DEBUG = False

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
MEDIA_ROOT = BASE_DIR / ".data" / "test-media"
SHOP_SCHEMA_POOL_SIZE = 0
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env("REDIS_URL", default="redis://127.0.0.1:6379/0"),
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        # One prefix per xdist worker: tests clear only their own keys.
        "KEY_PREFIX": "mall-test-" + env("PYTEST_XDIST_WORKER", default="main"),
    }
}
LOGGING["root"]["level"] = "WARNING"
WHITENOISE_USE_FINDERS = True

# Argon2 as in production, with a cheaper cost: the hashes still start with "argon2".
PASSWORD_HASHERS = ["tests.hashers.FastArgon2PasswordHasher"]

WEBHOOKS_ALLOW_PRIVATE = True  # tests deliver to a receiver on 127.0.0.1
