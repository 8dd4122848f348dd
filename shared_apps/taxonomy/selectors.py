from django.db.models import QuerySet

from .models import Category


def business_categories() -> QuerySet[Category]:
    """Top-level categories a merchant may apply to sell in."""
    return Category.objects.filter(parent__isnull=True, is_active=True)
