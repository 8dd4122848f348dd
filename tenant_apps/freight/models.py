"""A shop's freight templates: what delivery costs where."""

from django.db import models  # noqa: F401
