"""Which operator roles may do what in the operator console."""

from django.utils.translation import gettext as _

from backend.api.errors import Forbidden

from .models import OperatorRole

VIEW = frozenset(OperatorRole.values)
REVIEW = frozenset({OperatorRole.ADMIN, OperatorRole.AUDITOR})
SHOP_LIFECYCLE = frozenset({OperatorRole.ADMIN})
FINANCE = frozenset({OperatorRole.ADMIN, OperatorRole.FINANCE})
# Giving a buyer money back on an order: finance, and customer service handling a complaint.
REFUNDS = frozenset({OperatorRole.ADMIN, OperatorRole.FINANCE, OperatorRole.SERVICE})
AUDIT_LOG = frozenset({OperatorRole.ADMIN, OperatorRole.AUDITOR})
# Search analytics and the synonym lists are read by admins and auditors; synonyms are edited by
# admins only (a synonym changes every shopper's results at once).
SEARCH_READ = frozenset({OperatorRole.ADMIN, OperatorRole.AUDITOR})
SEARCH_SYNONYMS = frozenset({OperatorRole.ADMIN})


def has_operator_role(user, allowed: frozenset) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.operator_role in allowed)


def require_operator(user, allowed: frozenset) -> None:
    if not has_operator_role(user, allowed):
        raise Forbidden(_("Your operator role does not allow this action."))
