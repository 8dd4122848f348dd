from django.db.models import QuerySet

from .models import ApplicationStatus, SettlementBankAccount, ShopApplication
from .transitions import IN_REVIEW


def applications_of(*, applicant) -> QuerySet[ShopApplication]:
    return ShopApplication.objects.filter(applicant=applicant).prefetch_related("categories", "documents")


def applications_for_review(*, status: str | None = None) -> QuerySet[ShopApplication]:
    """The operators' queue: waiting applications, oldest first; or all of one status."""
    queryset = ShopApplication.objects.select_related("applicant", "reviewer")
    if status:
        return queryset.filter(status=status).order_by("-updated_at", "-id")
    return queryset.filter(status__in=IN_REVIEW).order_by("submitted_at", "id")


def pending_bank_account_changes() -> QuerySet[SettlementBankAccount]:
    return SettlementBankAccount.objects.filter(status="pending").select_related("shop", "requested_by")


def active_bank_account(*, shop_id: int) -> SettlementBankAccount | None:
    return SettlementBankAccount.objects.filter(shop_id=shop_id, status="active").first()


__all__ = ["ApplicationStatus", "applications_of", "applications_for_review",
           "pending_bank_account_changes", "active_bank_account"]
