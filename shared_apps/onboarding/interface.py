"""What shop-side code may know and ask of the platform's settlement bank account records.

Plain frozen dataclasses out, ids in: shop code never sees these ORM rows.
"""

from dataclasses import dataclass
from datetime import datetime

from .models import BankAccountStatus, SettlementBankAccount
from .services import bank_account_change_request


@dataclass(frozen=True)
class BankAccountSummary:
    """What the shop owner may see of a settlement bank account: never the full number."""

    status: str
    bank_name: str
    bank_branch: str
    account_name: str
    account_number_masked: str
    requested_at: datetime
    decided_at: datetime | None


def _summary(row: SettlementBankAccount | None) -> BankAccountSummary | None:
    if row is None:
        return None
    return BankAccountSummary(
        status=row.status, bank_name=row.bank_name, bank_branch=row.bank_branch,
        account_name=row.account_name, account_number_masked=row.account_number_masked,
        requested_at=row.created_at, decided_at=row.decided_at,
    )


def settlement_accounts(*, shop_id: int) -> tuple[BankAccountSummary | None, BankAccountSummary | None]:
    """(the active account, the change waiting for review) of a shop; either may be None."""
    rows = SettlementBankAccount.objects.filter(
        shop_id=shop_id, status__in=[BankAccountStatus.ACTIVE, BankAccountStatus.PENDING])
    by_status = {row.status: row for row in rows}
    return _summary(by_status.get(BankAccountStatus.ACTIVE)), _summary(by_status.get(BankAccountStatus.PENDING))


def request_bank_account_change(*, shop_id: int, actor, bank_name: str, bank_branch: str,
                                account_name: str, account_number: str, ip=None) -> BankAccountSummary:
    """Ask to be paid into another account (see services.bank_account_change_request)."""
    return _summary(bank_account_change_request(
        shop_id=shop_id, actor=actor, bank_name=bank_name, bank_branch=bank_branch,
        account_name=account_name, account_number=account_number, ip=ip))
