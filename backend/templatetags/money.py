from django import template

from backend.lib.money import format_cny

register = template.Library()


@register.filter
def cny(amount) -> str:
    """{{ amount|cny }} → ¥1,234.50"""
    return format_cny(amount)
