"""Daily statements (对账单): each provider's bill fetched from its simulator after real payments
and refunds, read back and checked line by line against the database; bad files of every kind
end in a StatementError or in named row errors, never in anything else."""

import codecs
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.api.errors import ServiceError
from backend.lib.money import to_fen
from shared_apps.payments import httpclient, interface, statements
from shared_apps.payments.models import Payment, Refund
from shared_apps.payments.providers import alipay as alipay_provider
from shared_apps.payments.providers.base import NoStatement, ProviderError
from shared_apps.payments.simulators import bills
from shared_apps.payments.simulators.base import Reply
from shared_apps.payments.statements import (
    ParsedStatement,
    StatementError,
    StatementLine,
    StatementTotals,
    statement_fetch,
    statement_parse,
)
from tests.conftest import MALL, client_for

from .conftest import client_delivery, open_payment

SHANGHAI = statements.SHANGHAI
db = pytest.mark.django_db


def shanghai(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=SHANGHAI)


# ---- checking a parsed statement against the database ----

def returned_fees(payment: Payment) -> dict[str, Decimal]:
    """The fee each refund of a payment gets back, as the providers compute it: the refund's
    share of the payment's fee, on the running refunded total (so a full refund returns it all)."""
    out, refunded, given_back = {}, Decimal("0.00"), Decimal("0.00")
    for refund in payment.refunds.filter(status="succeeded").order_by("created_at", "id"):
        refunded += refund.amount
        share = to_fen(payment.fee * refunded / payment.amount)
        out[refund.refund_no], given_back = share - given_back, share
    return out


def assert_matches_database(parsed: ParsedStatement, provider: str, *, fees_returned: bool) -> None:
    assert parsed.errors == []
    seen = set()
    for line in parsed.lines:
        if line.kind == "payment":
            payment = Payment.objects.get(number=line.out_trade_no, provider=provider)
            assert (line.provider_trade_no, line.amount, line.fee, line.out_refund_no, line.provider_refund_no) == (
                payment.provider_trade_no, payment.amount, payment.fee, "", "")
            assert line.occurred_at == payment.paid_at.replace(microsecond=0)
            seen.add(("payment", payment.number))
        else:
            refund = Refund.objects.select_related("payment").get(refund_no=line.out_refund_no)
            payment = refund.payment
            assert (payment.provider, refund.status) == (provider, "succeeded")
            assert (line.out_trade_no, line.provider_trade_no, line.amount) == (
                payment.number, payment.provider_trade_no, refund.amount)
            # Alipay has no refund number of its own (the mall keeps the trade number there).
            assert line.provider_refund_no == ("" if provider == "alipay" else refund.provider_refund_no)
            expected_fee = -returned_fees(payment)[refund.refund_no] if fees_returned else Decimal("0.00")
            assert line.fee == expected_fee
            assert abs(line.occurred_at - refund.finished_at) < timedelta(seconds=5)
            seen.add(("refund", refund.refund_no))
        assert line.occurred_at.utcoffset() == timedelta(hours=8)
    expected = {("payment", p.number) for p in Payment.objects.filter(provider=provider, status="succeeded")}
    expected |= {("refund", r.refund_no) for r in Refund.objects.filter(payment__provider=provider, status="succeeded")}
    assert seen == expected and len(parsed.lines) == len(expected)  # each once, none missing


def assert_totals_match_rows(parsed: ParsedStatement) -> None:
    totals = parsed.totals
    payments = [line for line in parsed.lines if line.kind == "payment"]
    refunds = [line for line in parsed.lines if line.kind == "refund"]
    assert totals.lines == len(parsed.lines)
    assert totals.payments in (None, len(payments))
    assert totals.refunds in (None, len(refunds))
    assert totals.payments_amount == sum(line.amount for line in payments)
    assert totals.refunds_amount == sum(line.amount for line in refunds)
    assert totals.fee in (None, sum(line.fee for line in parsed.lines))


# ---- each provider end to end ----

@db
def test_sandbox_statement_fetched_parsed_and_matched(payable, in_process_delivery, django_capture_on_commit_callbacks):
    for number, amount in (("SB260001", "88.00"), ("SB260002", "100.00"), ("SB260003", "0.99")):
        open_payment(number, amount=amount)
        with django_capture_on_commit_callbacks(execute=True):
            client_for(MALL).post(f"/pay/sandbox/{number}/", {"action": "pay"})
    for number, amount, refund_no in (("SB260001", "8.00", "SR-1"), ("SB260001", "80.00", "SR-2"), ("SB260003", "0.99", "SR-3")):
        with django_capture_on_commit_callbacks(execute=True):
            interface.refund_request(number=number, amount=Decimal(amount), refund_no=refund_no, reason="")

    content = statement_fetch("sandbox", timezone.localdate())
    parsed = statement_parse("sandbox", content)

    assert content.startswith(b"record_type,trade_no,out_trade_no,refund_no,out_refund_no,finished_at,amount,fee,")
    assert (parsed.provider, parsed.day, parsed.totals) == ("sandbox", None, None)
    assert sorted((line.kind, line.out_refund_no or line.out_trade_no, line.amount, line.fee)
                  for line in parsed.lines) == [
        ("payment", "SB260001", Decimal("88.00"), Decimal("0.53")), ("payment", "SB260002", Decimal("100.00"), Decimal("0.60")),
        ("payment", "SB260003", Decimal("0.99"), Decimal("0.01")), ("refund", "SR-1", Decimal("8.00"), Decimal("0.00")),
        ("refund", "SR-2", Decimal("80.00"), Decimal("0.00")), ("refund", "SR-3", Decimal("0.99"), Decimal("0.00"))]
    assert [line.line_no for line in parsed.lines] == [2, 3, 4, 5, 6, 7]
    assert_matches_database(parsed, "sandbox", fees_returned=False)


@pytest.fixture
def alipay_paid(alipay, payable, django_capture_on_commit_callbacks):
    """Three Alipay payments; 88.00 refunded in two parts, 0.99 refunded in full."""
    alipay.deliver = client_delivery
    for number, amount in (("AL260001", "88.00"), ("AL260002", "100.00"), ("AL260003", "0.99")):
        open_payment(number, amount=amount, provider="alipay")
        httpclient.request("GET", client_for(MALL).get(f"/pay/go/{number}/")["Location"])  # the cashier
        assert alipay.pay(number).answer == "success"
    for number, amount, refund_no in (("AL260001", "8.00", "AR-1"), ("AL260001", "80.00", "AR-2"), ("AL260003", "0.99", "AR-3")):
        with django_capture_on_commit_callbacks(execute=True):
            interface.refund_request(number=number, amount=Decimal(amount), refund_no=refund_no, reason="")
    assert set(Refund.objects.values_list("status", flat=True)) == {"succeeded"}
    return alipay


@db
def test_alipay_bill_fetched_parsed_and_matched(alipay_paid):
    today = timezone.localdate()
    content = statement_fetch("alipay", today)

    assert alipay_paid.requests[-1]["method"] == "alipay.data.dataservice.bill.downloadurl.query"
    text = content.decode("gbk")  # as Alipay writes it
    assert text.startswith("#支付宝业务明细查询\r\n#账号：[2088000000000001]\r\n")
    assert "支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间," in text
    parsed = statement_parse("alipay", content)
    assert parsed.day == today
    assert sorted((line.kind, line.out_refund_no or line.out_trade_no, line.amount, line.fee)
                  for line in parsed.lines) == [
        ("payment", "AL260001", Decimal("88.00"), Decimal("0.53")), ("payment", "AL260002", Decimal("100.00"), Decimal("0.60")),
        ("payment", "AL260003", Decimal("0.99"), Decimal("0.01")),
        ("refund", "AR-1", Decimal("8.00"), Decimal("-0.05")),  # 0.53 × 8/88 = 0.048 → 0.05
        ("refund", "AR-2", Decimal("80.00"), Decimal("-0.48")),  # the rest of 0.53: a full refund returns it all
        ("refund", "AR-3", Decimal("0.99"), Decimal("-0.01"))]
    assert_matches_database(parsed, "alipay", fees_returned=True)
    assert parsed.totals == StatementTotals(
        line_no=parsed.totals.line_no, lines=6, payments=3, payments_amount=Decimal("188.99"), refunds=3,
        refunds_amount=Decimal("88.99"))
    assert text.splitlines()[parsed.totals.line_no - 1] == "#交易合计：3笔，商家实收：188.99元，商家优惠：0.00元"
    assert_totals_match_rows(parsed)
    # The same file read as UTF-8 text gives the same lines (a re-saved copy, say).
    assert statement_parse("alipay", text).lines == parsed.lines


@db
def test_alipay_bill_faults(alipay_paid, settings, test_keys, monkeypatch):
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(NoStatement, match="isp.bill_not_exist"):
        statement_fetch("alipay", tomorrow)
    assert statement_parse("alipay", statement_fetch("alipay", date(2020, 1, 1))).lines == []  # a quiet day

    # The download link lives 30 seconds.
    answer = alipay_provider.AlipayProvider()._call(alipay_provider.BILL_METHOD,
                                                    {"bill_type": "trade", "bill_date": "2020-01-01"})
    token = answer["bill_download_url"].rsplit("token=", 1)[1]
    alipay_paid.bill_files[token] = (0.0, *alipay_paid.bill_files[token][1:])
    assert httpclient.request("GET", answer["bill_download_url"]).status == 404
    monkeypatch.setattr(type(alipay_paid), "_bill_file",
                        lambda self, query: Reply(200, b"PK\x03\x04 not really a zip"))
    with pytest.raises(ProviderError, match="not a readable zip"):
        statement_fetch("alipay", timezone.localdate())
    monkeypatch.undo()

    settings.PAYMENTS_ALIPAY_PUBLIC_KEY = test_keys["stranger"][1].decode()
    with pytest.raises(ProviderError, match="does not verify"):
        statement_fetch("alipay", timezone.localdate())
    alipay_paid.stop()
    settings.PAYMENTS_ALIPAY_PUBLIC_KEY = test_keys["alipay"][1].decode()
    with pytest.raises(ProviderError, match="unreachable"):
        statement_fetch("alipay", timezone.localdate())


@pytest.fixture
def wechat_paid(wechat, payable, django_capture_on_commit_callbacks):
    """Three WeChat Pay payments; 88.00 refunded in two parts, 0.99 refunded in full."""
    wechat.deliver = client_delivery
    for number, amount in (("WX260001", "88.00"), ("WX260002", "100.00"), ("WX260003", "0.99")):
        open_payment(number, amount=amount, provider="wechat")
        assert client_for(MALL).get(f"/pay/go/{number}/").status_code == 200  # the Native order
        assert wechat.pay(number).status == 204
    for number, amount, refund_no in (("WX260001", "8.00", "WR-1"), ("WX260001", "80.00", "WR-2"), ("WX260003", "0.99", "WR-3")):
        with django_capture_on_commit_callbacks(execute=True):
            interface.refund_request(number=number, amount=Decimal(amount), refund_no=refund_no, reason="")
        assert [sent.status for sent in wechat.settle_refunds()] == [204]
    assert set(Refund.objects.values_list("status", flat=True)) == {"succeeded"}
    return wechat


@db
def test_wechat_bill_fetched_parsed_and_matched(wechat_paid):
    content = statement_fetch("wechat", timezone.localdate())

    text = content.decode("utf-8")
    header, first = text.splitlines()[:2]
    assert header.startswith("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,")
    assert all(cell.startswith("`") for cell in first.split(","))
    assert text.splitlines()[-2] == "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额"
    parsed = statement_parse("wechat", content)
    assert parsed.day is None  # the file does not say
    assert sorted((line.kind, line.out_refund_no or line.out_trade_no, line.amount, line.fee)
                  for line in parsed.lines) == [
        ("payment", "WX260001", Decimal("88.00"), Decimal("0.53")), ("payment", "WX260002", Decimal("100.00"), Decimal("0.60")),
        ("payment", "WX260003", Decimal("0.99"), Decimal("0.01")), ("refund", "WR-1", Decimal("8.00"), Decimal("-0.05")),
        ("refund", "WR-2", Decimal("80.00"), Decimal("-0.48")), ("refund", "WR-3", Decimal("0.99"), Decimal("-0.01"))]
    assert_matches_database(parsed, "wechat", fees_returned=True)
    assert parsed.totals == StatementTotals(line_no=9, lines=6, payments_amount=Decimal("188.99"),
                                            refunds_amount=Decimal("88.99"), fee=Decimal("0.60"))
    assert text.splitlines()[8] == "`6,`188.99,`88.99,`0.00,`0.60,`188.99,`88.99"
    assert_totals_match_rows(parsed)


@db
def test_wechat_bill_faults(wechat_paid, settings, test_keys, monkeypatch):
    with pytest.raises(NoStatement, match="no bill for 2020-01-01"):
        statement_fetch("wechat", date(2020, 1, 1))  # nothing happened that day
    monkeypatch.setattr(bills, "sha1_hex", lambda data: "0" * 40)
    with pytest.raises(ProviderError, match="does not match the SHA-1"):
        statement_fetch("wechat", timezone.localdate())
    monkeypatch.undo()
    refused = wechat_paid.refused_auth
    settings.PAYMENTS_WECHAT_PLATFORM_PUBLIC_KEY = test_keys["stranger"][1].decode()
    with pytest.raises(ProviderError, match="does not verify"):
        statement_fetch("wechat", timezone.localdate())
    assert wechat_paid.refused_auth == refused  # our requests, the download too, were signed right


@db
def test_fetch_needs_a_provider_with_statements_that_is_configured(settings):
    with pytest.raises(StatementError) as caught:
        statement_fetch("offline", date(2026, 5, 1))
    assert caught.value.message == ("There is no daily statement for the provider offline; choose one of "
                                    "sandbox, alipay, wechat.")
    with pytest.raises(ProviderError, match="The wechat provider is not configured here."):
        statement_fetch("wechat", date(2026, 5, 1))


# ---- hand-written files in the providers' formats ----

ALIPAY_HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
                 "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
                 "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注")


def alipay_row(trade_no, out_trade_no, kind, finished, ordered, net, request_no, service) -> str:
    cells = [trade_no, out_trade_no, kind, "茶叶", finished, finished, "", "", "", "", "buy***@example.com", ordered,
             net, "0.00", "0.00", "0.00", "0.00", "0.00", "", "0.00", "0.00", request_no, service, "0.00", ""]
    return ",".join(cell + "\t" for cell in cells)


ALIPAY_LINES = [
    "#支付宝业务明细查询",
    "#账号：[2088000000000001]",
    "#起始日期：[2026年05月01日 00:00:00]   终止日期：[2026年05月02日 00:00:00]",
    "#-----------------------------------------业务明细列表----------------------------------------",
    ALIPAY_HEADER,
    alipay_row("2026050122001400000000000001", "A1", "交易", "2026-05-01 10:00:05", "88.00", "88.00", "", "-0.53"),
    alipay_row("2026050122001400000000000002", "A2", "交易", "2026-05-01 11:30:00", "100.00", "100.00", "", "-0.60"),
    alipay_row("2026050122001400000000000001", "A1", "退款", "2026-05-01 12:00:00", "88.00", "-8.00", "AR-1", "0.05"),
    "#-----------------------------------------业务明细列表结束------------------------------------",
    "#交易合计：2笔，商家实收：188.00元，商家优惠：0.00元",
    "#退款合计：1笔，商家实收：-8.00元，商家优惠：0.00元",
    "#导出时间：[2026年05月02日 09:12:01]",
]

WECHAT_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,"
                 "货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,"
                 "商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")


def wechat_row(at, transaction_id, out_trade_no, state, settled, refund_id, out_refund_no, refunded, fee, ordered,
               asked) -> str:
    cells = [at, "wx8888888888888888", "1900000109", "0", "", transaction_id, out_trade_no, "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
             "NATIVE", state, "OTHERS", "CNY", settled, "0.00", refund_id, out_refund_no, refunded, "0.00",
             "ORIGINAL" if state == "REFUND" else "", "SUCCESS" if state == "REFUND" else "", "茶叶", "", fee, "0.60%",
             ordered, asked, ""]
    return ",".join("`" + cell for cell in cells)


WECHAT_LINES = [
    WECHAT_HEADER,
    wechat_row("2026-05-01 10:00:05", "4200000001202605010000000001", "W1", "SUCCESS", "88.00", "0", "0", "0.00",
               "0.53", "88.00", "0.00"),
    wechat_row("2026-05-01 11:30:00", "4200000002202605010000000002", "W2", "SUCCESS", "100.00", "0", "0", "0.00",
               "0.60", "100.00", "0.00"),
    wechat_row("2026-05-01 12:00:00", "4200000001202605010000000001", "W1", "REFUND", "0.00",
               "50300000012026050100000000001", "WR-1", "8.00", "-0.05", "0.00", "8.00"),
    "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
    "`3,`188.00,`8.00,`0.00,`1.08,`188.00,`8.00",
]

SANDBOX_LINES = [
    "record_type,trade_no,out_trade_no,refund_no,out_refund_no,finished_at,amount,fee,refund_amount",
    "payment,SB20260501000000000001,P1,,,2026-05-01 10:00:05,88.00,0.53,0.00",
    "refund,SB20260501000000000001,P1,SR20260501000000000001,R1,2026-05-01 12:00:00,0.00,0.00,8.80",
]


def crlf(lines: list[str]) -> str:
    return "\r\n".join(lines) + "\r\n"


def test_alipay_file_read_exactly():
    parsed = statement_parse("alipay", crlf(ALIPAY_LINES).encode("gbk"))
    assert parsed == ParsedStatement(provider="alipay", day=date(2026, 5, 1), lines=[
        StatementLine(line_no=6, kind="payment", out_trade_no="A1", provider_trade_no="2026050122001400000000000001",
                      out_refund_no="", provider_refund_no="", amount=Decimal("88.00"), fee=Decimal("0.53"),
                      occurred_at=shanghai("2026-05-01 10:00:05")),
        StatementLine(line_no=7, kind="payment", out_trade_no="A2", provider_trade_no="2026050122001400000000000002",
                      out_refund_no="", provider_refund_no="", amount=Decimal("100.00"), fee=Decimal("0.60"),
                      occurred_at=shanghai("2026-05-01 11:30:00")),
        StatementLine(line_no=8, kind="refund", out_trade_no="A1", provider_trade_no="2026050122001400000000000001",
                      out_refund_no="AR-1", provider_refund_no="", amount=Decimal("8.00"), fee=Decimal("-0.05"),
                      occurred_at=shanghai("2026-05-01 12:00:00"))],
        errors=[], totals=StatementTotals(line_no=10, lines=3, payments=2, payments_amount=Decimal("188.00"),
                                          refunds=1, refunds_amount=Decimal("8.00")))
    assert_totals_match_rows(parsed)


def test_wechat_file_read_exactly():
    parsed = statement_parse("wechat", crlf(WECHAT_LINES).encode())
    assert parsed.errors == [] and parsed.day is None
    assert parsed.lines[2] == StatementLine(
        line_no=4, kind="refund", out_trade_no="W1", provider_trade_no="4200000001202605010000000001",
        out_refund_no="WR-1", provider_refund_no="50300000012026050100000000001", amount=Decimal("8.00"),
        fee=Decimal("-0.05"), occurred_at=shanghai("2026-05-01 12:00:00"))
    assert [(line.kind, line.out_trade_no, line.out_refund_no, line.provider_refund_no, line.amount, line.fee)
            for line in parsed.lines[:2]] == [("payment", "W1", "", "", Decimal("88.00"), Decimal("0.53")),
                                              ("payment", "W2", "", "", Decimal("100.00"), Decimal("0.60"))]
    assert parsed.totals == StatementTotals(line_no=6, lines=3, payments_amount=Decimal("188.00"),
                                            refunds_amount=Decimal("8.00"), fee=Decimal("1.08"))
    assert_totals_match_rows(parsed)


@pytest.mark.parametrize(("provider", "lines"), [
    ("sandbox", SANDBOX_LINES), ("alipay", ALIPAY_LINES), ("wechat", WECHAT_LINES)])
def test_line_endings_a_utf8_bom_and_text_read_alike(provider, lines):
    expected = statement_parse(provider, "\n".join(lines))
    assert expected.errors == [] and len(expected.lines) == len(lines) - {"sandbox": 1, "alipay": 9, "wechat": 3}[provider]
    assert statement_parse(provider, crlf(lines).encode()) == expected
    assert statement_parse(provider, codecs.BOM_UTF8 + crlf(lines).encode()) == expected
    assert statement_parse(provider, "\ufeff" + crlf(lines) + "\r\n\r\n") == expected


# ---- bad files ----

def parse_error(provider: str, content) -> StatementError:
    with pytest.raises(StatementError) as caught:
        statement_parse(provider, content)
    assert isinstance(caught.value, ServiceError)
    assert (caught.value.status_code, caught.value.code) == (400, "statement_invalid")
    assert caught.value.fields == {"file": [caught.value.message]}
    return caught.value


WECHAT_NOT_UTF8 = ("the bytes are not UTF-8 text, as a WeChat Pay bill is (GBK text, such as an Alipay bill, is not "
                   "read here).")
BOM_REFUSED = "text (it starts with that byte-order mark); a statement is UTF-8, or GBK from Alipay."
NO_ALIPAY_HEADER = "this is not an Alipay bill: its header row (支付宝交易号,商户订单号,业务类型…) is missing."


@pytest.mark.parametrize(("provider", "content", "message"), [
    ("alipay", b"", "Line 1, column 1: the file is empty."),
    ("wechat", b" \r\n\r\n", "Line 1, column 1: the file is empty."),
    ("sandbox", "", "Line 1, column 1: the file is empty."),
    ("sandbox", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
     "Line 2, column 1: this is binary data (control character U+001A), not a text statement."),
    ("alipay", bytes(range(256)) * 4,
     "Line 1, column 1: this is binary data (control character U+0000), not a text statement."),
    ("wechat", b"\xff\xd8\xff\xe0 JFIF \xff\xdb", f"Line 1, column 1: {WECHAT_NOT_UTF8}"),
    ("wechat", crlf(WECHAT_LINES).encode("utf-16"), f"Line 1, column 1: the file is UTF-16 {BOM_REFUSED}"),
    ("alipay", codecs.BOM_UTF32_LE + "x".encode("utf-32-le"), f"Line 1, column 1: the file is UTF-32 {BOM_REFUSED}"),
    ("alipay", crlf(WECHAT_LINES).encode(), "Line 1, column 1: this looks like a WeChat Pay bill, not an Alipay bill."),
    ("wechat", crlf(ALIPAY_LINES), "Line 1, column 1: this looks like an Alipay bill, not a WeChat Pay bill."),
    ("wechat", crlf(ALIPAY_LINES).encode("gbk"), f"Line 1, column 4: {WECHAT_NOT_UTF8}"),
    ("sandbox", crlf(WECHAT_LINES), "Line 1, column 1: this looks like a WeChat Pay bill, not the sandbox's statement."),
    ("alipay", crlf(SANDBOX_LINES), "Line 1, column 1: this looks like the sandbox's statement, not an Alipay bill."),
    ("alipay", "hello,world\n1,2\n", f"Line 1, column 1: {NO_ALIPAY_HEADER}"),
    ("alipay", "#支付宝业务明细查询\n#账号：[2088000000000001]\n", f"Line 2, column 1: {NO_ALIPAY_HEADER}"),
    ("wechat", "\n\nname,amount\nW1,88.00\n",
     "Line 3, column 1: this is not a WeChat Pay bill: its header row (交易时间,公众账号ID,商户号…) is missing."),
    ("alipay", crlf([*ALIPAY_LINES[:4], ALIPAY_HEADER.replace(",服务费（元）", ""), *ALIPAY_LINES[5:]]),
     "Line 5, column 25: the header row lacks the column 服务费（元）."),
    ("sandbox", "record_type,trade_no,out_trade_no\npayment,T1,P1\n",
     "Line 1, column 4: the header row lacks the column refund_no."),
    ("sandbox", 'record_type,"trade_no\npayment\n',
     "Line 1, column 1: the line is not valid CSV (unexpected end of data)."),
    ("alipay", '#支付宝业务明细查询\n支付宝交易号,"商户订单号\n',
     "Line 2, column 1: the line is not valid CSV (unexpected end of data)."),
    ("gateway", SANDBOX_LINES[0],
     "There is no daily statement for the provider gateway; choose one of sandbox, alipay, wechat."),
    ("sandbox", 12, "Give the statement file's bytes or text."),
])
def test_a_file_in_the_wrong_format_is_refused_with_a_named_error(provider, content, message):
    assert parse_error(provider, content).message == message


def test_a_gbk_file_that_is_not_gbk_either_names_the_byte():
    error = parse_error("alipay", crlf(ALIPAY_LINES[:5]).encode("gbk") + b"\x81\x20oops\r\n")
    assert (error.message, error.line_no, error.column) == (
        "Line 6, column 1: the bytes are neither UTF-8 nor GBK text.", 6, 1)


def test_bad_alipay_rows_are_each_reported_and_the_good_ones_kept():
    lines = list(ALIPAY_LINES)
    lines[5] = lines[5].replace("88.00\t,88.00", "88.0x\t,88.00")
    lines[6] = lines[6].replace("2026-05-01 11:30:00", "2026-13-01 11:30:00")
    lines.insert(8, alipay_row("2026050122001400000000000003", "A3", "冻结", "2026-05-01 13:00:00", "5.00", "5.00",
                               "", "0.00"))
    lines.insert(9, "2026050122001400000000000004\t,A4\t,交易\t")
    lines.insert(10, alipay_row("2026050122001400000000000001", "A1", "退款", "2026-05-01 14:00:00", "88.00", "8.00",
                                "AR-2", "0.05"))
    parsed = statement_parse("alipay", crlf(lines).encode("gbk"))
    assert [line.line_no for line in parsed.lines] == [8]
    assert parsed.errors == [
        (6, "Line 6, column 12 (订单金额（元）): '88.0x' is not an amount in yuan with at most two decimals."),
        (7, "Line 7, column 6 (完成时间): '2026-13-01 11:30:00' is not a time such as 2026-05-01 13:45:00."),
        (9, "Line 9, column 3 (业务类型): '冻结' is not a business type read here (交易 or 退款)."),
        (10, "Line 10, column 4: the row has 3 columns; the header has 25."),
        (11, "Line 11, column 13 (商家实收（元）): the amount must be below zero, not 8.00."),
    ]


def test_bad_wechat_rows_are_each_reported_and_the_good_ones_kept():
    lines = list(WECHAT_LINES)
    lines[1] = lines[1].replace("`SUCCESS", "`REVOKED")
    lines[3] = lines[3].replace("`WR-1", "`")
    lines.insert(3, "`2026-05-01 11:40:00,`wx8888888888888888")
    lines.insert(4, lines[2].replace("`0.60,`0.60%", "`NaN,`0.60%"))
    lines.insert(5, lines[2].replace("`100.00,`0.00,`", "`-100.00,`0.00,`"))
    parsed = statement_parse("wechat", crlf(lines))
    assert [line.out_trade_no for line in parsed.lines] == ["W2"]
    assert parsed.errors == [
        (2, "Line 2, column 10 (交易状态): 'REVOKED' is not a trade state read here (SUCCESS or REFUND)."),
        (4, "Line 4, column 3: the row has 2 columns; the header has 27."),
        (5, "Line 5, column 23 (手续费): 'NaN' is not an amount in yuan with at most two decimals."),
        (6, "Line 6, column 25 (订单金额): the amount must be above zero, not -100.00."),
        (7, "Line 7, column 16 (商户退款单号): the value is missing."),
    ]
    assert parsed.totals.lines == 3  # stated; not checked against rows that could not be read


def test_bad_sandbox_rows_are_each_reported():
    lines = [*SANDBOX_LINES, "chargeback,SB1,P1,,,2026-05-01 10:00:05,1.00,0.00,0.00",
             "payment,SB2,P2,,,2026-05-01 10:00:05,0.00,0.00,0.00", "payment,SB3,P3,,,yesterday,1.00,0.01,0.00",
             "payment,SB4," + "P" * 65 + ",,,2026-05-01 10:00:05,1.00,0.01,0.00"]
    parsed = statement_parse("sandbox", "\n".join(lines))
    assert len(parsed.lines) == 2
    assert parsed.errors == [
        (4, "Line 4, column 1 (record_type): 'chargeback' is not a record type (payment or refund)."),
        (5, "Line 5, column 7 (amount): the amount must be above zero, not 0.00."),
        (6, "Line 6, column 6 (finished_at): 'yesterday' is not a time such as 2026-05-01 13:45:00."),
        (7, "Line 7, column 3 (out_trade_no): the value is longer than 64 characters."),
    ]


def test_alipay_totals_that_the_rows_do_not_add_up_to_are_reported():
    lines = list(ALIPAY_LINES)
    lines[9] = "#交易合计：3笔，商家实收：188.00元，商家优惠：0.00元"
    lines[10] = "#退款合计：1笔，商家实收：-8.01元，商家优惠：0.00元"
    parsed = statement_parse("alipay", crlf(lines))
    assert len(parsed.lines) == 3
    assert parsed.errors == [
        (10, "Line 10, column 1: the file states 交易合计笔数 3, but its rows add up to 2."),
        (11, "Line 11, column 1: the file states 退款合计商家实收 -8.01, but its rows add up to -8.00."),
    ]
    lines[9] = "#交易合计：很多笔"
    assert statement_parse("alipay", crlf(lines)).errors[0] == (10, "Line 10, column 1: the totals line cannot be read.")


def test_wechat_totals_that_the_rows_do_not_add_up_to_are_reported():
    lines = list(WECHAT_LINES)
    lines[5] = "`4,`188.00,`8.00,`0.00,`1.09,`188.00,`8.00"
    parsed = statement_parse("wechat", crlf(lines))
    assert parsed.errors == [
        (6, "Line 6, column 1: the file states 总交易单数 4, but its rows add up to 3."),
        (6, "Line 6, column 5: the file states 手续费总金额 1.09, but its rows add up to 1.08."),
    ]
    lines[5] = "`3,`188.00"
    assert statement_parse("wechat", crlf(lines)).errors == [
        (6, "Line 6, column 3: the row has 2 columns; the header has 7.")]


@pytest.mark.parametrize(("provider", "lines", "cut"), [("alipay", ALIPAY_LINES, 8), ("wechat", WECHAT_LINES, 4)])
def test_a_file_cut_short_keeps_its_rows_and_says_so(provider, lines, cut):
    parsed = statement_parse(provider, crlf(lines[:cut]))
    assert len(parsed.lines) == 3 and parsed.totals is None
    assert parsed.errors == [(cut, f"Line {cut}, column 1: the file ends without its totals (it may be cut short).")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(provider=st.sampled_from(statements.FORMATS), sample=st.sampled_from(["alipay", "wechat", "sandbox"]),
       cut=st.integers(0, 4000), junk=st.binary(max_size=12), encoding=st.sampled_from(["utf-8", "gbk"]))
def test_nothing_but_a_statement_error_ever_comes_out(provider, sample, cut, junk, encoding):
    """Any file, however mangled: a parsed statement whose errors name their lines, or a
    StatementError."""
    source = {"alipay": ALIPAY_LINES, "wechat": WECHAT_LINES, "sandbox": SANDBOX_LINES}[sample]
    data = crlf(source).encode(encoding)
    content = data[:cut] + junk + data[cut:]
    try:
        parsed = statement_parse(provider, content)
    except StatementError as exc:
        assert exc.message.startswith("Line ")
        return
    assert all(message.startswith(f"Line {line_no}, column ") for line_no, message in parsed.errors)
    assert all(line.amount > 0 for line in parsed.lines)
