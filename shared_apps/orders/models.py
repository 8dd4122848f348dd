"""Checkouts, parent orders and shop sub-orders: the platform's money record."""

from django.db import models  # noqa: F401
