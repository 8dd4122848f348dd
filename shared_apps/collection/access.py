"""Who may see and work with collected data (权限管理单元).

Administrators always may; any other operator only while an administrator's grant is in force
(`CollectedDataGrant`). Everyone else (shoppers, merchants, operators without a grant) is refused:
403 on every page and API of this app. Shoppers see collected prices only as the reference lines
of a product page (`selectors.reference_offers`), never the data itself.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from backend.api.errors import Forbidden
from shared_apps.accounts import roles
from shared_apps.accounts.models import OperatorRole

from .models import CollectedDataGrant

ADMINS = frozenset({OperatorRole.ADMIN})


def can_view(user) -> bool:
    """Whether `user` may see collected data: an active operator who is an administrator or holds
    a grant in force (one query for operators other than administrators)."""
    if not roles.has_operator_role(user, roles.VIEW):
        return False
    if user.operator_role in ADMINS:
        return True
    return CollectedDataGrant.objects.filter(user_id=user.pk, revoked_at__isnull=True).exists()


def can_manage_grants(user) -> bool:
    return roles.has_operator_role(user, ADMINS)


def require_view(user) -> None:
    if not can_view(user):
        raise Forbidden(_("Collected data is for administrators and operators granted access to it."),
                        code="collected_data_forbidden")


def require_manage_grants(user) -> None:
    if not can_manage_grants(user):
        raise Forbidden(_("Only administrators grant access to collected data."))
