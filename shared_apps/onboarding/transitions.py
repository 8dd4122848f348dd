"""The allowed moves of a shop application, as data. Anything not listed is refused."""

from .models import ApplicationStatus as S

ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.APPROVED, S.REJECTED}),
    S.RESUBMITTED: frozenset({S.UNDER_REVIEW, S.APPROVED, S.REJECTED}),
    S.UNDER_REVIEW: frozenset({S.APPROVED, S.REJECTED}),
    S.REJECTED: frozenset({S.RESUBMITTED}),
    S.APPROVED: frozenset(),
}

IN_REVIEW = (S.SUBMITTED, S.RESUBMITTED, S.UNDER_REVIEW)


def can_move(from_status: str, to_status: str) -> bool:
    return to_status in ALLOWED.get(from_status, frozenset())
