"""Payments, refunds and provider notifications."""

from django.db import models  # noqa: F401
