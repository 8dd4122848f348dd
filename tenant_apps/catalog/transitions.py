"""A product's moderation and listing states, as data.

draft → pending → approved / rejected; approved → listed ⇄ delisted; rejected → pending
(corrected and sent again). Edits of approved/listed/delisted products go through revisions.
"""

from .models import ProductStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PENDING}),
    S.PENDING: frozenset({S.APPROVED, S.REJECTED}),
    S.REJECTED: frozenset({S.PENDING}),
    S.APPROVED: frozenset({S.LISTED}),
    S.LISTED: frozenset({S.DELISTED}),
    S.DELISTED: frozenset({S.LISTED}),
}

# Fields a buyer relies on: changing them on an approved product needs a reviewed revision.
REVIEWED_FIELDS = ("title", "subtitle", "description", "platform_category_id", "attributes")
