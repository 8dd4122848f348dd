"""What the catalog asks the platform side (public schema) about categories.

The one place that will switch to `shared_apps.taxonomy.interface` once it exists
(`attributes_for`, `validate_attribute_values`, `standard_product_find`); until then it only
checks that a platform category id exists and is active.
"""


def platform_category_exists(category_id: int) -> bool:
    from shared_apps.taxonomy.models import Category  # temporary: replaced by the interface

    return Category.objects.filter(pk=category_id, is_active=True).exists()
