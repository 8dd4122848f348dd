"""A shop's webhook subscriptions and their delivery log."""

from django.db import models  # noqa: F401
