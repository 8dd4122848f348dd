"""What the catalog asks the platform side (public schema) about categories and attributes,
through the taxonomy interface (plain data; no public ORM rows in shop code)."""

from django.core.exceptions import ValidationError

from shared_apps.taxonomy import interface as taxonomy


def platform_category_exists(category_id: int) -> bool:
    info = taxonomy.category_info(category_id)
    return info is not None and info.is_active


def attribute_values(category_id: int, values: dict) -> tuple[dict, list[str]]:
    """The values checked and coerced against the category's templates (partial: required ones
    are checked at submission), and the problems as "code: message" lines."""
    try:
        return taxonomy.validate_attribute_values(category_id, values, partial=True), []
    except ValidationError as exc:
        problems = getattr(exc, "message_dict", {"": exc.messages})
        return values, [f"{code}: {message}" if code and code != "__all__" else message
                        for code, messages in problems.items() for message in messages]
