"""Which staff roles may use which console section. One table, read by pages and API alike."""

from .models import StaffRole as R

ALL = frozenset(R.values)
SECTIONS: dict[str, frozenset[str]] = {
    "dashboard": ALL,
    "settings": frozenset({R.OWNER, R.MANAGER}),
    "staff": frozenset({R.OWNER, R.MANAGER}),
    "bank_account": frozenset({R.OWNER}),
    "catalog": frozenset({R.OWNER, R.MANAGER, R.CLERK}),
    "inventory": frozenset({R.OWNER, R.MANAGER, R.WAREHOUSE}),
    "orders": frozenset({R.OWNER, R.MANAGER, R.CLERK, R.WAREHOUSE, R.SERVICE}),
    "customers": frozenset({R.OWNER, R.MANAGER, R.SERVICE}),
}


def can(role: str | None, section: str) -> bool:
    return role is not None and role in SECTIONS.get(section, frozenset())


def sections_for(role: str | None) -> list[str]:
    return [name for name, allowed in SECTIONS.items() if role in allowed]


def grantable_roles(actor_role: str) -> set[str]:
    """Owners grant any role but owner; managers grant the roles below manager."""
    if actor_role == R.OWNER:
        return {R.MANAGER, R.CLERK, R.WAREHOUSE, R.SERVICE}
    if actor_role == R.MANAGER:
        return {R.CLERK, R.WAREHOUSE, R.SERVICE}
    return set()
