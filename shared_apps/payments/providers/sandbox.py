"""The built-in sandbox provider, seen from the mall: the client of sandbox_gateway."""

from datetime import date
from decimal import Decimal

from backend.lib import hosts

from .. import conf, sandbox_gateway
from ..models import Outcome, Payment, PaymentStatus, Refund, RefundStatus
from .base import BadNotification, Provider, ProviderError, ProviderEvent, RefundResult, SplitResult
from .forms import amount, local_time, parse_form, required

_PAYMENT_STATUS = {"TRADE_SUCCESS": PaymentStatus.SUCCEEDED, "TRADE_FAILED": PaymentStatus.FAILED,
                   "TRADE_CANCELLED": PaymentStatus.CANCELLED, "TRADE_CLOSED": PaymentStatus.CLOSED,
                   "WAIT_BUYER_PAY": PaymentStatus.PENDING}


class SandboxProvider(Provider):
    code = "sandbox"
    fee_rate_setting = "PAYMENTS_SANDBOX_FEE_RATE"
    default_fee_rate = "0.006"

    def enabled(self) -> bool:
        return conf.flag("PAYMENTS_SANDBOX_ENABLED", True)

    def start(self, payment: Payment) -> str:
        sandbox_gateway.trade_create(
            out_trade_no=payment.number, amount=payment.amount, subject=payment.subject,
            notify_url=conf.notify_url(self.code), return_url=conf.return_url(payment.number),
            expires_at=payment.expires_at)
        return hosts.mall_url(f"/pay/sandbox/{payment.number}/")

    def parse_notification(self, *, body: bytes, headers) -> ProviderEvent:
        params = parse_form(body)
        required(params, "sign", "notify_type", "out_trade_no", "trade_no")
        if not sandbox_gateway.verify(params):
            raise BadNotification("The signature does not verify.", outcome=Outcome.BAD_SIGNATURE,
                                  parsed={"out_trade_no": params["out_trade_no"][:64]})
        return self._event(params)

    def _event(self, params: dict) -> ProviderEvent:
        parsed = {k: v for k, v in params.items() if k not in ("sign", "sign_type")}
        if params.get("notify_type") == "refund_status_sync" or "out_refund_no" in params:
            required(params, "out_refund_no", "refund_amount", "refund_status")
            status = RefundStatus.SUCCEEDED if params["refund_status"] == "REFUND_SUCCESS" else RefundStatus.PENDING
            return ProviderEvent(
                target="refund", out_trade_no=params["out_trade_no"], status=status,
                trade_no=params["trade_no"], amount=amount(params["refund_amount"], field="refund_amount"),
                out_refund_no=params["out_refund_no"], provider_refund_no=params.get("refund_no", ""),
                notify_id=params.get("notify_id", ""), parsed=parsed)
        required(params, "trade_status", "total_amount")
        status = _PAYMENT_STATUS.get(params["trade_status"])
        if status is None:
            raise BadNotification("Unknown trade_status.", verified=True, parsed=parsed)
        return ProviderEvent(
            target="payment", out_trade_no=params["out_trade_no"], status=status, trade_no=params["trade_no"],
            amount=amount(params["total_amount"], field="total_amount"),
            paid_at=local_time(params.get("gmt_payment")),
            fee=amount(params["fee"], field="fee") if params.get("fee") else None,
            notify_id=params.get("notify_id", ""), parsed=parsed)

    def _checked(self, answer: dict) -> dict:
        if not sandbox_gateway.verify(answer):
            raise ProviderError("The sandbox's answer is not signed right.")
        return answer

    def query(self, payment: Payment) -> ProviderEvent | None:
        answer = self._checked(sandbox_gateway.trade_query(out_trade_no=payment.number))
        if answer.get("code") != "SUCCESS":
            return None
        return self._event(answer)

    def refund(self, payment: Payment, refund: Refund) -> RefundResult:
        answer = self._checked(sandbox_gateway.refund_apply(
            out_trade_no=payment.number, out_refund_no=refund.refund_no, amount=refund.amount))
        if answer.get("code") != "SUCCESS":
            return RefundResult(RefundStatus.FAILED, message=answer.get("code", "refused"))
        status = RefundStatus.SUCCEEDED if answer["refund_status"] == "REFUND_SUCCESS" else RefundStatus.PENDING
        return RefundResult(status, provider_refund_no=answer["refund_no"])

    def close(self, payment: Payment) -> None:
        self._checked(sandbox_gateway.trade_close(out_trade_no=payment.number))

    def statement_download(self, day: date) -> bytes:
        return sandbox_gateway.statement_csv(day).encode("utf-8")

    def split_transfer(self, *, out_request_no: str, receiver: str, amount: Decimal) -> SplitResult:
        answer = self._checked(sandbox_gateway.split_apply(out_request_no=out_request_no, receiver=receiver,
                                                           amount=amount))
        if answer.get("code") != "SUCCESS":
            return SplitResult(False, message=answer.get("code", "refused"))
        return SplitResult(True, provider_no=answer["split_no"])

    def fee_for(self, amount_: Decimal) -> Decimal:
        return sandbox_gateway.fee_for(amount_)
