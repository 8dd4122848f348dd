"""A shop's shipments, parcels, tracking and pickups."""

from django.db import models  # noqa: F401
