"""Reads of platform accounts for pages and API: the address book."""

from django.db.models import QuerySet

from .models import Address


def addresses_of(*, user_id: int) -> QuerySet[Address]:
    """A person's addresses, the default first, then newest first."""
    return Address.objects.filter(user_id=user_id).order_by("-is_default", "-id")


def address_of(*, user_id: int, address_id) -> Address | None:
    """One of a person's addresses; None for a missing id or someone else's."""
    try:
        address_id = int(address_id)
    except (TypeError, ValueError):
        return None
    return Address.objects.filter(pk=address_id, user_id=user_id).first()
