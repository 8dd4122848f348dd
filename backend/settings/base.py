"""Settings shared by every environment; everything that differs comes from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

SECRET_KEY = env("SECRET_KEY", default="dev-insecure-change-me")
DEBUG = env.bool("DEBUG", default=False)

# The mall lives at MALL_DOMAIN, every shop at <shop>.MALL_DOMAIN, operators at ops.MALL_DOMAIN.
MALL_DOMAIN = env("MALL_DOMAIN", default="mall.localhost").lower()
OPS_SUBDOMAIN = "ops"
# Scheme and port used when the mall builds links to its other hosts (handoff redirects, mails).
MALL_SCHEME = env("MALL_SCHEME", default="http")
MALL_PORT = env("MALL_PORT", default=env("PORT", default=""))
ALLOWED_HOSTS = [MALL_DOMAIN, "." + MALL_DOMAIN]

SHARED_APPS = [
    "tenants",  # first: its migrate/migrate_schemas commands override django-tenants' own
    "django_tenants",
    "backend",  # before drf_spectacular: its `spectacular` command documents every host's API
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "shared_apps.accounts",
    "shared_apps.audit",
    "shared_apps.taxonomy",
    "shared_apps.onboarding",
    "shared_apps.ops",
    "shared_apps.moderation",
    "shared_apps.offers",
    "shared_apps.marketing",
    "shared_apps.cart",
    "shared_apps.orders",
    "shared_apps.payments",
    "shared_apps.settlement",
    "shared_apps.search",
    "shared_apps.comparison",
    "shared_apps.collection",
]
TENANT_APPS = [
    "tenant_apps.shop",
    "tenant_apps.catalog",
    "tenant_apps.inventory",
    "tenant_apps.purchasing",
    "tenant_apps.freight",
    "tenant_apps.fulfilment",
    "tenant_apps.webhooks",
]
INSTALLED_APPS = SHARED_APPS + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Shop"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_NAME = "public"
# On: the search_path is set once per schema switch, not before every query (a checkout made
# 69 of its 142 round trips just for that). django-tenants 4.0.1 forgets the cached path on
# rollback and savepoint rollback (issue 1262, where a rolled-back SET left a stale path);
# tests/tenants/test_provisioning.py proves it for nested schema switches that roll back.
TENANT_LIMIT_SET_CALLS = True
SHOP_TEMPLATE_SCHEMA = "shop_template"
SHOP_SCHEMA_POOL_SIZE = env.int("SHOP_SCHEMA_POOL_SIZE", default=3)
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "backend.middleware.HealthCheckMiddleware",
    "backend.middleware.HostRoutingMiddleware",
    "backend.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "backend.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shared_apps.accounts.middleware.HostBoundSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "tenants.middleware.ShopStatusMiddleware",
    "backend.api.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "backend.urls_tenant"
PUBLIC_SCHEMA_URLCONF = "backend.urls_public"
OPS_URLCONF = "backend.urls_ops"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backend.context_processors.site",
            ],
        },
    }
]

WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

# Database: one PostgreSQL database, one schema per shop. Connections come from psycopg's pool
# and are recycled after DB_POOL_MAX_LIFETIME seconds: a connection that has served many shop
# schemas keeps their catalog entries in memory, so its lifetime must be bounded.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/mall"
    )
}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = 0
if env.bool("DB_POOL", default=True):
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DB_POOL_MIN", default=1),
        "max_size": env.int("DB_POOL_MAX", default=8),
        "max_lifetime": env.float("DB_POOL_MAX_LIFETIME", default=300.0),
        "max_idle": 60.0,
        "timeout": 10.0,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the current schema, so one shop can never read another's cache entries.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": env("CACHE_PREFIX", default="mall"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Storefront pages for visitors who are not signed in come from Redis (backend/lib/pagecache.py).
STOREFRONT_PAGE_CACHE = env.bool("STOREFRONT_PAGE_CACHE", default=True)
# Flash sales answer the crowd from a Redis counter before PostgreSQL (shared_apps/orders/flash.py);
# off, every attempt goes to PostgreSQL's row lock (the benchmark compares both).
FLASH_SALE_REDIS_GATE = env.bool("FLASH_SALE_REDIS_GATE", default=True)
# How long a broad search's exact total and sampled facets are reused (its page is always fresh).
SEARCH_BROAD_STATS_SECONDS = env.int("SEARCH_BROAD_STATS_SECONDS", default=30)
SEARCH_LOG_DAYS = env.int("SEARCH_LOG_DAYS", default=180)  # search analytics kept this long
COLLECTION_MAX_BYTES = env.int("COLLECTION_MAX_BYTES", default=20 * 1024 * 1024)
COLLECTION_MAX_ROWS = env.int("COLLECTION_MAX_ROWS", default=50_000)
# Host-only cookies: a session made on one host is never sent to another.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
CSRF_TRUSTED_ORIGINS: list[str] = []  # same-origin only: Django checks Origin against the host

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shared_apps.accounts.backends.IdentifierBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"

# Login throttling and temporary lockout (django-axes). Attempts are counted per identifier and
# IP whether or not the account exists, so the answer never tells which identifiers are real.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "shared_apps.accounts.views.lockout_response"
AXES_USERNAME_FORM_FIELD = "identifier"
AXES_USERNAME_CALLABLE = "shared_apps.accounts.backends.axes_username"
AXES_VERBOSE = False
# Behind nginx REMOTE_ADDR is the proxy; count the client (X-Forwarded-For with NUM_PROXIES).
AXES_CLIENT_IP_CALLABLE = "backend.lib.ip.client_ip"
# Keep typed identifiers (phone numbers, e-mails) out of axes' stored request data.
AXES_SENSITIVE_PARAMETERS = ["identifier", "username", "ip_address", "password"]

# Personal data: phone numbers are encrypted at rest and looked up by a keyed hash.
PII_ENCRYPTION_KEY = env("PII_ENCRYPTION_KEY", default="dev-pii-key-change-me")
PII_HASH_KEY = env("PII_HASH_KEY", default="dev-pii-hash-key-change-me")

SMS_PROVIDER = env("SMS_PROVIDER", default="shared_apps.accounts.sms.SandboxSmsProvider")
SMS_CODE_TTL_SECONDS = 300
SMS_CODE_MAX_ATTEMPTS = 5
SMS_SEND_INTERVAL_SECONDS = 60
SMS_SENDS_PER_HOUR = 5
# The page that shows the sandbox's messages exists only where the sandbox provider is used.
SMS_SANDBOX_PAGE = env.bool("SMS_SANDBOX_PAGE", default=True)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "backend" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "backend" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
QUALIFICATION_MAX_BYTES = env.int("QUALIFICATION_MAX_BYTES", default=5 * 1024 * 1024)

# Media: local disk by default, S3 when a bucket is configured.
S3_BUCKET = env("S3_BUCKET", default="")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if S3_BUCKET:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env("S3_ENDPOINT_URL", default=None),
            "access_key": env("S3_ACCESS_KEY", default=None),
            "secret_key": env("S3_SECRET_KEY", default=None),
            "region_name": env("S3_REGION", default="us-east-1"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Mail: SMTP when EMAIL_HOST is set, else the console.
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default=f"noreply@{MALL_DOMAIN}")

# Celery runs every task in the schema it was sent from (tenant-schemas-celery).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_MAX_TASKS_PER_CHILD = 1000
CELERY_TIMEZONE = TIME_ZONE
# Who bears the payment providers' fees: "shop" (charged in its statement, the default) or
# "platform".
SETTLEMENT_PROVIDER_FEE_BEARER = env.str("SETTLEMENT_PROVIDER_FEE_BEARER", default="shop")

CELERY_BEAT_SCHEDULE = {
    "refill-shop-schema-pool": {"task": "tenants.tasks.refill_schema_pool", "schedule": 60.0},
    "purge-expired-sms-codes": {"task": "shared_apps.accounts.tasks.purge_expired", "schedule": 3600.0},
    "sweep-offer-outboxes": {"task": "shared_apps.offers.tasks.sweep_outboxes", "schedule": 5.0},
    "listing-schedules": {"task": "tenants.tasks.for_each_active_shop", "schedule": 60.0,
                          "args": ["tenant_apps.catalog.tasks.run_listing_schedule"]},
    "expire-reservations": {"task": "tenants.tasks.for_each_active_shop", "schedule": 60.0,
                            "args": ["tenant_apps.inventory.tasks.expire_reservations"]},
    "purge-idempotency-keys": {"task": "backend.api.idempotency.purge_expired_keys",
                               "schedule": 3600.0},
    "webhook-deliveries": {"task": "tenants.tasks.for_each_active_shop", "schedule": 30.0,
                           "args": ["tenant_apps.webhooks.tasks.sweep_deliveries"]},
    "expire-unpaid-orders": {"task": "shared_apps.orders.tasks.expire_unpaid_orders", "schedule": 30.0},
    "complete-delivered-orders": {"task": "shared_apps.orders.tasks.complete_delivered_orders", "schedule": 3600.0},
    "payments-reconcile": {"task": "shared_apps.payments.tasks.payments_reconcile", "schedule": 60.0},
    "flash-sales": {"task": "shared_apps.orders.tasks.run_flash_sales", "schedule": 5.0},
    "ledger-catch-up": {"task": "shared_apps.settlement.tasks.ledger_catch_up", "schedule": 60.0},
    "search-vocabulary": {"task": "shared_apps.search.tasks.vocabulary_and_suggestions_refresh",
                          "schedule": 3600.0},
    "search-log-drain": {"task": "shared_apps.search.tasks.search_log_drain", "schedule": 15.0},
    "collection-rematch": {"task": "shared_apps.collection.tasks.rematch_offers", "schedule": 600.0,
                           "kwargs": {"only_unmatched": True}},
    "search-logs-purge": {"task": "shared_apps.search.tasks.search_logs_purge", "schedule": 86400.0},
    "search-dictionary-watch": {"task": "shared_apps.search.tasks.dictionary_watch", "schedule": 60.0},
    "comparison-regroup": {"task": "shared_apps.comparison.tasks.regroup_changed_offers", "schedule": 10.0},
    # Today's price-history snapshot (the first run of a day) and the price-alert sweep.
    "comparison-price-watch": {"task": "shared_apps.comparison.tasks.price_watch_sweep", "schedule": 300.0},
    "settlement-daily": {"task": "shared_apps.settlement.tasks.settlement_daily",
                         "schedule": crontab(hour=2, minute=30)},  # 02:30 in CELERY_TIMEZONE
}
# Task modules outside an app's tasks.py (autodiscovery finds only those).
CELERY_IMPORTS = ["backend.api.idempotency"]
# Webhook URLs may point at private or loopback addresses only where this is on (dev, tests).
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so an explicit `Bearer mshop_…` header wins and its refusals are 401s.
        "tenant_apps.shop.auth.ShopTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "backend.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "backend.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "backend.api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_RATES": {"auth": "30/min", "sms": "10/min", "onboarding": "30/min"},
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mall API",
    "DESCRIPTION": (
        "REST API of the mall. Paths under /api/v1/ops/ are served on the operator host "
        "(ops.MALL_DOMAIN), paths under /api/v1/shop/ on each shop's host (<shop>.MALL_DOMAIN), "
        "and the rest on the mall host (MALL_DOMAIN). Errors share one body: "
        '{"error": {"code", "message", "fields"}}.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_URLCONF": "backend.urls_api",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "WebhookEventEnum": "tenant_apps.webhooks.models.WebhookEvent",
        "PayoutStatusEnum": "shared_apps.settlement.models.PayoutStatus",
        "StockTakeStatusEnum": "tenant_apps.inventory.models.StockTakeStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.api.idempotency.document_idempotency_key",
    ],
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "backend.lib.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The e-mail is unique ignoring case through a functional constraint (user_email_ci_unique),
# which Django's check cannot see; phone-only accounts have no e-mail at all.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
