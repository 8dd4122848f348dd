"""The notifications link with its unread count, for the mall's header (cached: no query on a
hit, one COUNT on a miss)."""

from django import template

from ..notifications import unread_count

register = template.Library()


@register.inclusion_tag("comparison/_notifications_link.html", takes_context=True)
def notifications_link(context) -> dict:
    user = context.get("user")
    signed_in = bool(user and user.is_authenticated)
    return {"unread": unread_count(user.pk) if signed_in else 0}
