"""Platform and shop coupons."""

from django.db import models  # noqa: F401
