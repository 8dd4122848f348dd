from django.db import transaction

from .data import TOP_LEVEL
from .models import Category


@transaction.atomic
def seed_business_categories() -> None:
    """Create or refresh the top-level business categories (idempotent)."""
    for sort, (code, name, name_en) in enumerate(TOP_LEVEL):
        Category.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en, "sort": sort})
