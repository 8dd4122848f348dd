"""The console menu's link to the stock pages, shown to roles that open the inventory section."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tenant_apps.shop import permissions

register = template.Library()


@register.simple_tag
def inventory_nav_link(member, active):
    if member is None or not permissions.can(member.role, "inventory"):
        return ""
    return format_html('<a href="/console/inventory/"{}>{}</a>', mark_safe(' class="active"') if active == "inventory" else "", _("Stock"))
