"""A guest's cart joins the shopper's own when they sign in (on the mall host)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .api import GUEST_KEY


@receiver(user_logged_in)
def merge_guest_cart(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    key = session.pop(GUEST_KEY, None) if session is not None else None
    if key:
        from .services import cart_merge

        cart_merge(session_key=key, user_id=user.pk)
