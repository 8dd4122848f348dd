from django.db import connection
from django_tenants.utils import get_public_schema_name

from backend.lib import pii

from .models import ShopApiToken, ShopProfile, StaffInvitation, StaffMember

API_TOKEN_PREFIX = "mshop_"


def profile() -> ShopProfile:
    """The current schema's profile (made at provisioning; recreated if somehow missing)."""
    found = ShopProfile.objects.order_by("id").first()
    return found or ShopProfile.objects.create(name="")


def staff_member_for(*, user_id: int | None) -> StaffMember | None:
    if not user_id:
        return None
    return StaffMember.objects.filter(user_id=user_id).first()


def staff_list():
    return StaffMember.objects.all()


def open_invitations():
    return StaffInvitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True)


def api_tokens():
    """Every API token of the shop, newest first, revoked and expired ones included."""
    return ShopApiToken.objects.all()


def api_token_hash(secret: str) -> str:
    """The keyed hash (HMAC-SHA256 under PII_HASH_KEY) a token's secret is stored and found by."""
    return pii.lookup_hash(f"shop-api-token:{secret}")


def api_token_for_secret(secret: str) -> ShopApiToken | None:
    """The token with this secret in the current shop's schema, or None.

    Found by the hash of the secret, so the database never compares the secret itself and the
    time taken says nothing about how much of a guess was right. Never looks in the public
    schema: a shop's tokens exist only in that shop's own schema.
    """
    if connection.schema_name == get_public_schema_name() or not secret.startswith(API_TOKEN_PREFIX):
        return None
    return ShopApiToken.objects.filter(secret_hash=api_token_hash(secret)).first()
