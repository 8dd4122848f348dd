"""Which staff roles may use which console section, and which sections a shop API token's
scopes open. Two tables, read by pages and API alike."""

from .models import ApiTokenScope as Scope
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
    # Giving buyers money back on an order (the orders themselves: "orders").
    "refunds": frozenset({R.OWNER, R.MANAGER, R.SERVICE}),
    # Reports with money in them (purchases, sales, margin, valuation); the stock summary needs
    # only "inventory".
    "reports": frozenset({R.OWNER, R.MANAGER}),
    # The shop's settlement: balance, statements and payouts (no API token scope opens it).
    "finance": frozenset({R.OWNER, R.MANAGER}),
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


# --- shop API tokens ---------------------------------------------------------------------------

# Whoever manages the staff manages the shop's API tokens (owner and manager).
TOKENS_SECTION = "staff"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# scope → (section it opens, whether it writes). A token reaches only these sections: settings,
# staff, the bank account, orders and customers are never opened by any scope.
TOKEN_SCOPES: dict[str, tuple[str, bool]] = {
    Scope.CATALOG_READ: ("catalog", False),
    Scope.CATALOG_WRITE: ("catalog", True),
    Scope.STOCK_READ: ("inventory", False),
    Scope.STOCK_WRITE: ("inventory", True),
}


def scope_needed(section: str, method: str) -> str | None:
    """The scope a token needs for `method` on `section`; None when no scope opens the section
    for that kind of request."""
    writes = method.upper() not in READ_METHODS
    for scope, (opens, is_write) in TOKEN_SCOPES.items():
        if opens == section and is_write == writes:
            return str(scope)
    return None


def token_can(scopes, section: str, method: str) -> bool:
    """Reading needs the section's read scope or its write scope (one cannot sensibly write what
    one cannot read); writing needs the write scope."""
    needed = scope_needed(section, method)
    if needed is None:
        return False
    return needed in scopes or (
        method.upper() in READ_METHODS and scope_needed(section, "POST") in scopes
    )
