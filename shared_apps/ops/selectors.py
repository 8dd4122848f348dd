"""Reads for the operator console.

Every list here is built with select_related/prefetch_related (or one extra keyed query), so the
number of queries a page or endpoint makes does not grow with the number of rows it shows.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from shared_apps.accounts.models import User
from shared_apps.audit.models import AuditEntry
from shared_apps.onboarding import selectors as onboarding_selectors
from shared_apps.onboarding.models import (
    ApplicationDocument,
    ApplicationStatus,
    ApplicationTransition,
    BankAccountStatus,
    SettlementBankAccount,
    ShopApplication,
)
from shared_apps.onboarding.transitions import IN_REVIEW
from tenants.models import Shop, ShopStatus, ShopStatusChange

# The queue's default tab: everything an operator still has to decide, oldest first.
WAITING = "waiting"


def masked_account_number(last4: str) -> str:
    """How a bank account number is shown to operators (the same form SettlementBankAccount uses)."""
    return "**** **** " + last4 if last4 else ""


# --- applications ------------------------------------------------------------------------------


def application_status_counts() -> dict[str, int]:
    """Applications per status (drafts are the applicant's own business and are left out),
    plus WAITING: all that still wait for a decision. One query."""
    rows = (
        ShopApplication.objects.exclude(status=ApplicationStatus.DRAFT)
        .order_by()
        .values("status")
        .annotate(n=Count("id"))
    )
    counts = {status: 0 for status in ApplicationStatus.values if status != ApplicationStatus.DRAFT}
    counts.update({row["status"]: row["n"] for row in rows})
    counts[WAITING] = sum(counts[status] for status in IN_REVIEW)
    return counts


def application_queue(*, status: str | None = None) -> QuerySet[ShopApplication]:
    """The review queue: without a status, what waits for a decision, oldest first; else every
    application of that status, most recently changed first."""
    return onboarding_selectors.applications_for_review(status=status or None)


def application_detail(*, application_id: int) -> ShopApplication | None:
    """One application with everything its review page shows, in four queries."""
    return (
        ShopApplication.objects.select_related("applicant", "reviewer")
        .prefetch_related(
            "categories",
            Prefetch(
                "documents", queryset=ApplicationDocument.objects.order_by("uploaded_at", "id")
            ),
            Prefetch("transitions", queryset=ApplicationTransition.objects.select_related("actor")),
        )
        .filter(pk=application_id)
        .first()
    )


def application_document(*, application_id: int, document_id: int) -> ApplicationDocument | None:
    return ApplicationDocument.objects.filter(pk=document_id, application_id=application_id).first()


# --- shops -------------------------------------------------------------------------------------


def shop_status_counts() -> dict[str, int]:
    rows = Shop.objects.order_by().values("status").annotate(n=Count("id"))
    counts = {status: 0 for status in ShopStatus.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def shop_search(*, q: str = "", status: str | None = None) -> QuerySet[Shop]:
    """Shops whose name, subdomain or company name contains `q`, newest first."""
    queryset = Shop.objects.select_related("owner").order_by("-created_at", "-id")
    q = (q or "").strip()
    if q:
        queryset = queryset.filter(
            Q(name__icontains=q) | Q(subdomain__icontains=q) | Q(company_name__icontains=q)
        )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


@dataclass(frozen=True)
class ShopDetail:
    shop: Shop
    history: list[ShopStatusChange]
    bank_account: SettlementBankAccount | None
    pending_bank_account: SettlementBankAccount | None


def shop_detail(*, shop_id: int) -> ShopDetail | None:
    shop = Shop.objects.select_related("owner").filter(pk=shop_id).first()
    if shop is None:
        return None
    history = list(ShopStatusChange.objects.filter(shop=shop).select_related("actor"))
    accounts = {
        account.status: account
        for account in SettlementBankAccount.objects.filter(
            shop=shop, status__in=[BankAccountStatus.ACTIVE, BankAccountStatus.PENDING]
        )
    }
    return ShopDetail(
        shop=shop,
        history=history,
        bank_account=accounts.get(BankAccountStatus.ACTIVE),
        pending_bank_account=accounts.get(BankAccountStatus.PENDING),
    )


def shop_id_for(text: str) -> int | None:
    """A shop named in a filter box by id or subdomain; -1 when there is no such shop, so a
    filter on an unknown shop finds nothing instead of everything."""
    text = (text or "").strip().lower()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    found = Shop.objects.filter(subdomain__iexact=text).values_list("pk", flat=True).first()
    return found if found is not None else -1


def user_id_for(text: str) -> int | None:
    """A person named in a filter box by id or e-mail; -1 when there is no such person."""
    text = (text or "").strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    found = User.objects.filter(email__iexact=text).values_list("pk", flat=True).first()
    return found if found is not None else -1


# --- settlement bank account changes -----------------------------------------------------------


def bank_account_changes() -> list[SettlementBankAccount]:
    """Pending bank account changes, oldest first, each with `.current`: the account it would
    replace (or None). Two queries whatever the length."""
    changes = list(
        onboarding_selectors.pending_bank_account_changes()
        .select_related("shop__owner")
        .order_by("created_at", "id")
    )
    current = {
        account.shop_id: account
        for account in SettlementBankAccount.objects.filter(
            shop_id__in={change.shop_id for change in changes}, status=BankAccountStatus.ACTIVE
        )
    }
    for change in changes:
        change.current = current.get(change.shop_id)  # type: ignore[attr-defined]
    return changes


def bank_account_change(*, account_id: int) -> SettlementBankAccount | None:
    change = (
        SettlementBankAccount.objects.select_related("shop__owner").filter(pk=account_id).first()
    )
    if change is not None:
        change.current = onboarding_selectors.active_bank_account(shop_id=change.shop_id)  # type: ignore[attr-defined]
    return change


# --- audit log ---------------------------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries(
    *,
    action: str = "",
    shop_id: int | None = None,
    actor_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    """Audit entries, newest first. `action` matches one action ("shop.suspended") or a whole
    family ("shop" matches every "shop.*"); `since`/`until` are whole days, both included, in
    the site's time zone."""
    queryset = AuditEntry.objects.order_by("-at", "-id")
    action = (action or "").strip()
    if action:
        queryset = queryset.filter(Q(action=action) | Q(action__startswith=action + "."))
    if shop_id is not None:
        queryset = queryset.filter(shop_id=shop_id)
    if actor_id is not None:
        queryset = queryset.filter(actor_id=actor_id)
    if since:
        queryset = queryset.filter(at__gte=_day_start(since))
    if until:
        queryset = queryset.filter(at__lt=_day_start(until + timedelta(days=1)))
    return queryset


def audit_actions() -> list[str]:
    """Every action name written so far, for the filter's suggestions."""
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())


# --- dashboard ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    applications: dict[str, int]
    shops: dict[str, int]
    pending_bank_accounts: int
    recent_audit: list[AuditEntry]


def dashboard(*, with_audit: bool) -> Dashboard:
    return Dashboard(
        applications=application_status_counts(),
        shops=shop_status_counts(),
        pending_bank_accounts=onboarding_selectors.pending_bank_account_changes().count(),
        recent_audit=list(audit_entries()[:10]) if with_audit else [],
    )
