"""Providers' daily statements (对账单): fetch a day's file and read it into plain lines.

    content = statement_fetch("alipay", date(2026, 5, 1))   # bytes, exactly as the provider sent them
    parsed = statement_parse("alipay", content)              # ParsedStatement
    parsed.lines, parsed.errors, parsed.day, parsed.totals

Formats read (column names are the providers' own):

- **sandbox**: the built-in sandbox's CSV, UTF-8, header `record_type,trade_no,out_trade_no,
  refund_no,out_refund_no,finished_at,amount,fee,refund_amount` (sandbox_gateway); no day, no
  totals. A refund row's amount is `refund_amount`; the sandbox gives no fee back.
- **alipay**: Alipay's trade detail file (…_业务明细.csv of the bill zip), GBK as Alipay writes
  it (UTF-8 is read too): `#` comment lines (the date range gives the day), the header row
  支付宝交易号,商户订单号,业务类型,…,完成时间,…,订单金额（元）,商家实收（元）,…,退款批次号/请求号,
  服务费（元）,…, tab-padded values, then the trailer `#交易合计：N笔，商家实收：X元…` and
  `#退款合计：…`. 业务类型 交易 is a payment (amount 订单金额), 退款 a refund (amount: its
  商家实收, which Alipay states negative; number: 退款批次号/请求号). Alipay gives a refund no
  number of its own, so provider_refund_no is "" there.
- **wechat**: WeChat Pay's trade bill (bill_type ALL), UTF-8: the header row 交易时间,公众账号ID,
  商户号,…,微信订单号,商户订单号,…,交易状态,…,应结订单金额,…,微信退款单号,商户退款单号,退款金额,
  …,手续费,费率,订单金额,申请退款金额,…, every value prefixed with a backtick, then the summary
  header 总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,… and its row. 交易状态
  SUCCESS is a payment (amount 订单金额), REFUND a refund (amount 申请退款金额); the day is not
  in the file.

Every line's `fee` is the provider's fee as a charge to the merchant: positive when charged
(a payment), negative when given back (a refund). WeChat Pay states it that way; Alipay states
服务费 as a movement of the merchant's money (−0.53 charged, +0.05 given back), so its sign is
turned round here. Times without a zone are Asia/Shanghai.

Bad input raises nothing but StatementError (400), whose message names the line and column:
a file that is not the format asked for at all (empty, binary, UTF-16, another provider's
bill) raises it; a bad row is reported in `errors` as (line number, message) and skipped, the
good rows are still returned. Stated totals that the rows do not add up to, and a file that
ends before its totals (cut short), are reported in `errors` too.
"""

import codecs
import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from backend.api.errors import ServiceError

from . import providers
from .providers.base import MAX_STATEMENT_BYTES, ProviderError
from .sandbox_gateway import STATEMENT_COLUMNS

SHANGHAI = ZoneInfo("Asia/Shanghai")
FORMATS = ("sandbox", "alipay", "wechat")
ZERO = Decimal("0.00")
MAX_NUMBER_LENGTH = 64
_AMOUNT = re.compile(r"^[+-]?[0-9]{1,13}(?:\.[0-9]{1,2})?$")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same bytes never occur inside a UTF-8 or GBK character, so they betray binary data before decoding.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class LineKind(models.TextChoices):
    PAYMENT = "payment", pgettext_lazy("statement line", "Payment")
    REFUND = "refund", pgettext_lazy("statement line", "Refund")


@dataclass(frozen=True)
class StatementLine:
    """One payment or refund the provider states it completed."""

    line_no: int  # 1-based line of the file
    kind: str  # a LineKind value
    out_trade_no: str
    provider_trade_no: str
    out_refund_no: str  # "" for a payment
    provider_refund_no: str  # "" for a payment, and for Alipay's refunds
    amount: Decimal  # positive: the payment's amount, or the refund's
    fee: Decimal  # positive charged, negative given back
    occurred_at: datetime


@dataclass(frozen=True)
class StatementTotals:
    """What the file states about itself; None where the format states nothing."""

    line_no: int
    lines: int | None = None
    payments: int | None = None
    payments_amount: Decimal | None = None
    refunds: int | None = None
    refunds_amount: Decimal | None = None  # positive
    fee: Decimal | None = None  # fees charged less fees given back


@dataclass(frozen=True)
class ParsedStatement:
    provider: str
    day: date | None
    lines: list[StatementLine]
    errors: list[tuple[int, str]] = field(default_factory=list)
    totals: StatementTotals | None = None


class StatementError(ServiceError):
    """The file cannot be read as the statement asked for. `line_no` and `column` are 1-based
    (None when the problem is not in the file)."""

    code = "statement_invalid"

    def __init__(self, message: str, *, line_no: int | None = None, column: int | None = None):
        super().__init__(message, fields={"file": [message]})
        self.line_no = line_no
        self.column = column


class _RowError(Exception):
    def __init__(self, column: int, name: str, problem: str):
        super().__init__(problem)
        self.column, self.name, self.problem = column, name, problem


def _at(line_no: int, column: int, problem: str, name: str = "") -> str:
    if name:
        return _("Line %(line)s, column %(column)s (%(name)s): %(problem)s") % {
            "line": line_no, "column": column, "name": name, "problem": problem}
    return _("Line %(line)s, column %(column)s: %(problem)s") % {
        "line": line_no, "column": column, "problem": problem}


def _error(line_no: int, column: int, problem: str, name: str = "") -> StatementError:
    return StatementError(_at(line_no, column, problem, name), line_no=line_no, column=column)


def _label(provider: str) -> str:
    return {"sandbox": _("the sandbox's statement"), "alipay": _("an Alipay bill"),
            "wechat": _("a WeChat Pay bill")}[provider]


def _known(provider: str) -> None:
    if provider not in FORMATS:
        raise StatementError(_("There is no daily statement for the provider %(provider)s; choose one of "
                               "%(choices)s.") % {"provider": str(provider)[:20], "choices": ", ".join(FORMATS)})


# ---- public API ----

def statement_fetch(provider: str, day: date) -> bytes:
    """Download the daily statement of `day` (Asia/Shanghai) from a provider, the file exactly
    as sent (Alipay's detail CSV out of its zip). Raises StatementError for a provider without
    statements, and the provider's ProviderError (NoStatement: no bill for that day) when the
    provider cannot be reached, refuses, or sends something that does not verify."""
    _known(provider)
    impl = providers.get(provider)
    if not impl.enabled():
        raise ProviderError(f"The {provider} provider is not configured here.")
    return impl.statement_download(day)


def statement_parse(provider: str, content: bytes | str) -> ParsedStatement:
    """Read a provider's daily statement (see the module docstring for the formats). Never
    touches the database."""
    _known(provider)
    lines = [line.removesuffix("\r") for line in _decode(content, provider).split("\n")]
    found = _guess(lines)
    if found is not None and found != provider:
        number = next(index for index, line in enumerate(lines, 1) if line.strip())
        raise _error(number, 1, _("this looks like %(found)s, not %(expected)s.") % {
            "found": _label(found), "expected": _label(provider)})
    return {"sandbox": _parse_sandbox, "alipay": _parse_alipay, "wechat": _parse_wechat}[provider](lines)


# ---- reading the bytes ----

def _decode(content: bytes | str, provider: str) -> str:
    if isinstance(content, str):
        text = content
    elif isinstance(content, (bytes, bytearray, memoryview)):
        data = bytes(content)
        if len(data) > MAX_STATEMENT_BYTES:
            raise _error(1, 1, _("the file is larger than %(size)s MB.") % {"size": MAX_STATEMENT_BYTES // 2**20})
        for bom, encoding in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                              (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
            if data.startswith(bom):
                raise _error(1, 1, _("the file is %(encoding)s text (it starts with that byte-order mark); a "
                                     "statement is UTF-8, or GBK from Alipay.") % {"encoding": encoding})
        data = data.removeprefix(codecs.BOM_UTF8)  # spreadsheet programs add one when saving
        _refuse_binary(_CONTROL_BYTES.search(data), data, b"\n")
        text = _decoded(data, provider)
    else:
        raise StatementError(_("Give the statement file's bytes or text."), line_no=None, column=None)
    text = text.removeprefix("\ufeff")
    _refuse_binary(_CONTROL.search(text), text, "\n")
    if not text.strip():
        raise _error(1, 1, _("the file is empty."))
    return text


def _refuse_binary(control: re.Match | None, data, newline) -> None:
    if control:
        line_no, column = _position(data, control.start(), newline)
        code = control.group()[0] if isinstance(data, bytes) else ord(control.group())
        raise _error(line_no, column, _("this is binary data (control character U+%(code)04X), not a text "
                                        "statement.") % {"code": code})


def _decoded(data: bytes, provider: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if provider == "alipay":  # Alipay writes GBK; GB18030 reads every GBK file
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError as exc:
            line_no, column = _position(data, exc.start, b"\n")
            raise _error(line_no, column, _("the bytes are neither UTF-8 nor GBK text.")) from None
    line_no, column = _position(data, utf8_error.start, b"\n")
    raise _error(line_no, column, _("the bytes are not UTF-8 text, as %(expected)s is (GBK text, such as an Alipay "
                                    "bill, is not read here).") % {"expected": _label(provider)}) from None


def _position(data, offset: int, newline) -> tuple[int, int]:
    """(line, column), 1-based, of an offset into bytes or text."""
    return data.count(newline, 0, offset) + 1, offset - (data.rfind(newline, 0, offset) + 1) + 1


def _guess(lines: list[str]) -> str | None:
    """Which format the first meaningful line belongs to, if any we know."""
    for line in lines[:20]:
        text = line.strip()
        if not text:
            continue
        if text.startswith("#支付宝") or "支付宝交易号" in text:
            return "alipay"
        if text.startswith("#"):
            continue
        if text.startswith("交易时间") and "微信订单号" in text:
            return "wechat"
        if text.startswith("record_type,"):
            return "sandbox"
        return None
    return None


# ---- cells ----

def _cells(line: str, clean: Callable[[str], str]) -> list[str]:
    try:
        cells = next(csv.reader([line], strict=True))
    except (csv.Error, StopIteration) as exc:
        raise _RowError(1, "", _("the line is not valid CSV (%(reason)s).") % {"reason": exc}) from None
    return [clean(cell) for cell in cells]


def _header_cells(lines: list[str], index: int, clean: Callable[[str], str]) -> list[str]:
    try:
        return _cells(lines[index], clean)
    except _RowError as exc:
        raise _error(index + 1, exc.column, exc.problem) from None


def _header(line_no: int, cells: list[str], wanted: dict[str, str], optional: dict[str, str] | None = None,
            ) -> dict[str, int]:
    index = {name: number for number, name in reversed(list(enumerate(cells)))}
    for name in wanted.values():
        if name not in index:
            raise _error(line_no, len(cells) + 1, _("the header row lacks the column %(name)s.") % {"name": name})
    return {key: index[name] for key, name in {**(optional or {}), **wanted}.items() if name in index}


def _width(cells: list[str], width: int) -> None:
    if len(cells) != width:
        raise _RowError(min(len(cells), width) + 1, "", _("the row has %(found)s columns; the header has "
                                                          "%(expected)s.") % {"found": len(cells), "expected": width})


class _Row:
    """The cells of one row, read by column key, each error naming its column."""

    def __init__(self, cells: list[str], columns: dict[str, int], names: dict[str, str]):
        self.cells, self.columns, self.names = cells, columns, names

    def fail(self, key: str, problem: str) -> "_RowError":
        return _RowError(self.columns[key] + 1, self.names[key], problem)

    def text(self, key: str, *, required: bool = True) -> str:
        value = self.cells[self.columns[key]]
        if required and not value:
            raise self.fail(key, _("the value is missing."))
        if len(value) > MAX_NUMBER_LENGTH:
            raise self.fail(key, _("the value is longer than %(max)s characters.") % {"max": MAX_NUMBER_LENGTH})
        return value

    def amount(self, key: str, *, sign: int = 0) -> Decimal:
        """sign 1: must be above zero; -1: below zero; 0: any."""
        value = self.cells[self.columns[key]]
        if not _AMOUNT.match(value):
            raise self.fail(key, _("%(value)s is not an amount in yuan with at most two decimals.") % {
                "value": repr(value[:20])})
        amount = Decimal(value).quantize(ZERO)
        if sign > 0 and amount <= 0:
            raise self.fail(key, _("the amount must be above zero, not %(value)s.") % {"value": value})
        if sign < 0 and amount >= 0:
            raise self.fail(key, _("the amount must be below zero, not %(value)s.") % {"value": value})
        return amount

    def moment(self, key: str) -> datetime:
        value = self.cells[self.columns[key]]
        for fmt in _TIME_FORMATS:
            try:
                return datetime.strptime(value, fmt).replace(tzinfo=SHANGHAI)
            except ValueError:
                continue
        raise self.fail(key, _("%(value)s is not a time such as 2026-05-01 13:45:00.") % {"value": repr(value[:30])})


def _row_error(errors: list, line_no: int, exc: _RowError) -> None:
    errors.append((line_no, _at(line_no, exc.column, exc.problem, exc.name)))


def _check(errors: list, line_no: int, column: int, name: str, stated, actual) -> None:
    if stated is not None and stated != actual:
        errors.append((line_no, _at(line_no, column, _("the file states %(name)s %(stated)s, but its rows add up "
                                                       "to %(actual)s.") % {"name": name, "stated": stated,
                                                                            "actual": actual})))


def _first_line(lines: list[str], start: int = 0, *, skip_comments: bool = False) -> int:
    """Index of the first non-blank (and, if asked, non-`#`) line from `start`, or len(lines)."""
    for index in range(start, len(lines)):
        text = lines[index].strip()
        if text and not (skip_comments and text.startswith("#")):
            return index
    return len(lines)


def _not_this_format(line_no: int, provider: str, columns: str) -> StatementError:
    return _error(line_no, 1, _("this is not %(expected)s: its header row (%(columns)s…) is missing.") % {
        "expected": _label(provider), "columns": columns})


# ---- sandbox ----

def _parse_sandbox(lines: list[str]) -> ParsedStatement:
    start = _first_line(lines)
    header = _header_cells(lines, start, str.strip)
    if "record_type" not in header:
        raise _not_this_format(start + 1, "sandbox", ",".join(STATEMENT_COLUMNS[:3]))
    names = {name: name for name in STATEMENT_COLUMNS}
    columns = _header(start + 1, header, names)
    out, errors = [], []
    for index in range(start + 1, len(lines)):
        if not lines[index].strip():
            continue
        line_no = index + 1
        try:
            cells = _cells(lines[index], str.strip)
            _width(cells, len(header))
            row = _Row(cells, columns, names)
            kind = row.text("record_type")
            if kind == LineKind.PAYMENT:
                out.append(StatementLine(
                    line_no=line_no, kind=LineKind.PAYMENT, out_trade_no=row.text("out_trade_no"),
                    provider_trade_no=row.text("trade_no"), out_refund_no="", provider_refund_no="",
                    amount=row.amount("amount", sign=1), fee=row.amount("fee"), occurred_at=row.moment("finished_at")))
            elif kind == LineKind.REFUND:
                out.append(StatementLine(
                    line_no=line_no, kind=LineKind.REFUND, out_trade_no=row.text("out_trade_no"),
                    provider_trade_no=row.text("trade_no"), out_refund_no=row.text("out_refund_no"),
                    provider_refund_no=row.text("refund_no"), amount=row.amount("refund_amount", sign=1),
                    fee=row.amount("fee"), occurred_at=row.moment("finished_at")))
            else:
                raise row.fail("record_type", _("%(value)s is not a record type (payment or refund).") % {
                    "value": repr(kind[:20])})
        except _RowError as exc:
            _row_error(errors, line_no, exc)
    return ParsedStatement(provider="sandbox", day=None, lines=out, errors=errors)


# ---- Alipay ----

ALIPAY_COLUMNS = {"trade_no": "支付宝交易号", "out_trade_no": "商户订单号", "type": "业务类型", "finished": "完成时间",
                  "ordered": "订单金额（元）", "net": "商家实收（元）", "request_no": "退款批次号/请求号",
                  "service": "服务费（元）"}
_ALIPAY_DAY = re.compile(r"起始日期[:：]\s*\[([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日")
_ALIPAY_TOTAL = re.compile(
    r"^#\s*(交易|退款)合计[:：]\s*([0-9]{1,9})\s*笔\s*[,，]\s*商家实收[:：]\s*([+-]?[0-9]{1,13}(?:\.[0-9]{1,2})?)\s*元")


def _alipay_clean(cell: str) -> str:
    return cell.strip()  # Alipay pads every value with a tab


def _parse_alipay(lines: list[str]) -> ParsedStatement:
    day, errors = None, []
    start = _first_line(lines, skip_comments=True)
    for index in range(start):
        match = _ALIPAY_DAY.search(lines[index])
        if match:
            try:
                day = date(*(int(part) for part in match.groups()))
            except ValueError:
                errors.append((index + 1, _at(index + 1, match.start(1) + 1, _("the start date is not a date."))))
    if start == len(lines) or "支付宝交易号" not in lines[start]:
        raise _not_this_format(start + 1 if start < len(lines) else _last_line(lines), "alipay",
                               "支付宝交易号,商户订单号,业务类型")
    header = [cell.replace("(", "（").replace(")", "）") for cell in _header_cells(lines, start, _alipay_clean)]
    columns = _header(start + 1, header, ALIPAY_COLUMNS)
    out: list[StatementLine] = []
    sums = {LineKind.PAYMENT: [0, ZERO], LineKind.REFUND: [0, ZERO]}
    stated: dict[str, tuple[int, int, Decimal]] = {}  # kind → (line, count, 商家实收)
    ended = False
    for index in range(start + 1, len(lines)):
        text, line_no = lines[index].strip(), index + 1
        if not text:
            continue
        if text.startswith("#"):
            ended = ended or "结束" in text
            if "合计" in text:
                match = _ALIPAY_TOTAL.match(text)
                if match is None:
                    errors.append((line_no, _at(line_no, 1, _("the totals line cannot be read."))))
                    continue
                kind = LineKind.PAYMENT if match.group(1) == "交易" else LineKind.REFUND
                stated[kind] = (line_no, int(match.group(2)), Decimal(match.group(3)).quantize(ZERO))
            continue
        try:
            if ended:
                raise _RowError(1, "", _("a row after the end of the list."))
            cells = _cells(lines[index], _alipay_clean)
            _width(cells, len(header))
            row = _Row(cells, columns, ALIPAY_COLUMNS)
            kind = row.text("type")
            if kind == "交易":
                line = StatementLine(
                    line_no=line_no, kind=LineKind.PAYMENT, out_trade_no=row.text("out_trade_no", required=False),
                    provider_trade_no=row.text("trade_no"), out_refund_no="", provider_refund_no="",
                    amount=row.amount("ordered", sign=1), fee=-row.amount("service"), occurred_at=row.moment("finished"))
                net = row.amount("net")
            elif kind == "退款":
                net = row.amount("net", sign=-1)
                line = StatementLine(
                    line_no=line_no, kind=LineKind.REFUND, out_trade_no=row.text("out_trade_no", required=False),
                    provider_trade_no=row.text("trade_no"), out_refund_no=row.text("request_no"),
                    provider_refund_no="", amount=-net, fee=-row.amount("service"), occurred_at=row.moment("finished"))
            else:
                raise row.fail("type", _("%(value)s is not a business type read here (交易 or 退款).") % {
                    "value": repr(kind[:20])})
        except _RowError as exc:
            _row_error(errors, line_no, exc)
            continue
        out.append(line)
        sums[line.kind][0] += 1
        sums[line.kind][1] += net
    totals = None
    if LineKind.PAYMENT in stated or LineKind.REFUND in stated:
        payment, refund = stated.get(LineKind.PAYMENT), stated.get(LineKind.REFUND)
        totals = StatementTotals(
            line_no=min(found[0] for found in stated.values()),
            lines=(payment[1] if payment else 0) + (refund[1] if refund else 0),
            payments=payment[1] if payment else None, payments_amount=payment[2] if payment else None,
            refunds=refund[1] if refund else None, refunds_amount=-refund[2] if refund else None)
        if not errors:
            for kind, label in ((LineKind.PAYMENT, "交易合计"), (LineKind.REFUND, "退款合计")):
                if kind in stated:
                    line_no, count, amount = stated[kind]
                    _check(errors, line_no, 1, f"{label}笔数", count, sums[kind][0])
                    _check(errors, line_no, 1, f"{label}商家实收", amount, sums[kind][1])
    if totals is None or not ended:
        last = _last_line(lines)
        errors.append((last, _at(last, 1, _("the file ends without its totals (it may be cut short)."))))
    return ParsedStatement(provider="alipay", day=day, lines=out, errors=errors, totals=totals)


def _last_line(lines: list[str]) -> int:
    return max((index + 1 for index, line in enumerate(lines) if line.strip()), default=1)


# ---- WeChat Pay ----

WECHAT_COLUMNS = {"time": "交易时间", "trade_no": "微信订单号", "out_trade_no": "商户订单号", "state": "交易状态",
                  "settled": "应结订单金额", "refund_id": "微信退款单号", "out_refund_no": "商户退款单号",
                  "refunded": "退款金额", "fee": "手续费"}
WECHAT_OPTIONAL = {"ordered": "订单金额", "asked": "申请退款金额"}
WECHAT_SUMMARY = {"lines": "总交易单数", "settled": "应结订单总金额", "refunded": "退款总金额", "fee": "手续费总金额"}


def _wechat_clean(cell: str) -> str:
    return cell.strip().removeprefix("`").strip()  # the backtick keeps spreadsheets from eating digits


def _parse_wechat(lines: list[str]) -> ParsedStatement:
    start = _first_line(lines)
    header = _header_cells(lines, start, _wechat_clean)
    if "微信订单号" not in header:
        raise _not_this_format(start + 1, "wechat", "交易时间,公众账号ID,商户号")
    names = {**WECHAT_OPTIONAL, **WECHAT_COLUMNS}
    columns = _header(start + 1, header, WECHAT_COLUMNS, WECHAT_OPTIONAL)
    out: list[StatementLine] = []
    errors: list[tuple[int, str]] = []
    sums = {"lines": 0, "settled": ZERO, "refunded": ZERO, "fee": ZERO}
    index = start + 1
    while index < len(lines):
        line_no = index + 1
        if not lines[index].strip():
            index += 1
            continue
        try:
            cells = _cells(lines[index], _wechat_clean)
            if cells[:1] == [WECHAT_SUMMARY["lines"]]:
                break
            _width(cells, len(header))
            row = _Row(cells, columns, names)
            state = row.text("state")
            settled, refunded, fee = row.amount("settled"), row.amount("refunded"), row.amount("fee")
            if state == "SUCCESS":
                line = StatementLine(
                    line_no=line_no, kind=LineKind.PAYMENT, out_trade_no=row.text("out_trade_no", required=False),
                    provider_trade_no=row.text("trade_no"), out_refund_no="", provider_refund_no="",
                    amount=row.amount("ordered" if "ordered" in columns else "settled", sign=1), fee=fee,
                    occurred_at=row.moment("time"))
            elif state == "REFUND":
                line = StatementLine(
                    line_no=line_no, kind=LineKind.REFUND, out_trade_no=row.text("out_trade_no", required=False),
                    provider_trade_no=row.text("trade_no"), out_refund_no=row.text("out_refund_no"),
                    provider_refund_no=row.text("refund_id"),
                    amount=row.amount("asked" if "asked" in columns else "refunded", sign=1), fee=fee,
                    occurred_at=row.moment("time"))
            else:
                raise row.fail("state", _("%(value)s is not a trade state read here (SUCCESS or REFUND).") % {
                    "value": repr(state[:20])})
        except _RowError as exc:
            _row_error(errors, line_no, exc)
            index += 1
            continue
        out.append(line)
        sums["lines"] += 1
        sums["settled"] += settled
        sums["refunded"] += refunded
        sums["fee"] += fee
        index += 1
    totals = _wechat_summary(lines, index, errors, sums)
    return ParsedStatement(provider="wechat", day=None, lines=out, errors=errors, totals=totals)


def _wechat_summary(lines: list[str], index: int, errors: list, sums: dict) -> StatementTotals | None:
    """Read the summary header at `index` and its row; check it when every row was read."""
    if index >= len(lines):
        last = _last_line(lines)
        errors.append((last, _at(last, 1, _("the file ends without its totals (it may be cut short)."))))
        return None
    value_index = _first_line(lines, index + 1)
    line_no = value_index + 1
    try:
        header = _cells(lines[index], _wechat_clean)
        columns = _header(index + 1, header, WECHAT_SUMMARY)
        if value_index >= len(lines):
            raise _RowError(1, "", _("the summary row is missing."))
        cells = _cells(lines[value_index], _wechat_clean)
        _width(cells, len(header))
        row = _Row(cells, columns, WECHAT_SUMMARY)
        count = row.text("lines")
        if not re.fullmatch(r"[0-9]{1,9}", count):
            raise row.fail("lines", _("%(value)s is not a count.") % {"value": repr(count[:20])})
        totals = StatementTotals(line_no=line_no, lines=int(count), payments_amount=row.amount("settled"),
                                 refunds_amount=row.amount("refunded"), fee=row.amount("fee"))
    except _RowError as exc:
        _row_error(errors, min(line_no, len(lines)), exc)
        return None
    except StatementError as exc:
        errors.append((exc.line_no, exc.message))
        return None
    if _first_line(lines, value_index + 1) < len(lines):
        extra = _first_line(lines, value_index + 1) + 1
        errors.append((extra, _at(extra, 1, _("a line after the summary."))))
    if not errors:
        for key, stated in (("lines", totals.lines), ("settled", totals.payments_amount),
                            ("refunded", totals.refunds_amount), ("fee", totals.fee)):
            _check(errors, line_no, columns[key] + 1, WECHAT_SUMMARY[key], stated, sums[key])
    return totals
