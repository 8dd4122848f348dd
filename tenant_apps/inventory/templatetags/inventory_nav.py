"""The console menu's links to the stock pages and to the reports, shown to roles that open
them (the reports page lists what the role may read: the stock summary with inventory, the
rest with reports)."""

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


@register.simple_tag
def reports_nav_link(member, active):
    if member is None or not (permissions.can(member.role, "reports") or permissions.can(member.role, "inventory")):
        return ""
    return format_html('<a href="/console/inventory/reports/"{}>{}</a>', mark_safe(' class="active"') if active == "reports" else "",
                       _("Reports"))
