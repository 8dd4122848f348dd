"""One cart per shopper across shops (public schema)."""

from django.db import models  # noqa: F401
