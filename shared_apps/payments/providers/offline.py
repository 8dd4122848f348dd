"""Offline payment: pay at pickup or by bank transfer.

Nobody notifies the mall: the merchant confirms the money (interface.offline_confirm), and a
refund is recorded as pending until the merchant confirms handing the money back
(interface.offline_refund_confirm). There is no pay page and no fee."""

from ..models import Payment, Refund, RefundStatus
from .base import Provider, RefundResult


class OfflineProvider(Provider):
    code = "offline"
    online = False

    def start(self, payment: Payment) -> str:
        return ""

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        return RefundResult(RefundStatus.PENDING)
