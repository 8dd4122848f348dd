"""`{% if member.role|opens:"catalog" %}`: the console navigation asks the one permission table."""

from django import template

from tenant_apps.shop import permissions

register = template.Library()


@register.filter
def opens(role: str | None, section: str) -> bool:
    return permissions.can(role, section)
