"""The simulators' daily bills (对账单), written in each provider's own file format.

Alipay: the trade bill is a zip of two GBK CSV files, `<pid>_<yyyymmdd>_业务明细.csv` (one row
per trade and per refund) and `<pid>_<yyyymmdd>_业务明细(汇总).csv` (the day's sums). The
detail file is `#` comment lines (title, account, date range, a rule), the Chinese header row,
the rows (every value padded with a tab so spreadsheets keep long numbers as text), a closing
rule and the trailer `#交易合计：N笔，商家实收：X元…` / `#退款合计：…` / `#导出时间：[…]`.
服务费 is stated as it moves the merchant's money: negative on a trade (charged), positive on a
refund (given back); 商家实收 of a refund row is negative.

WeChat Pay: the trade bill (交易账单, bill_type ALL) is one UTF-8 CSV: a header row, one row per
payment (交易状态 SUCCESS) and per refund (REFUND), every value prefixed with a backtick, then
the summary header `总交易单数,应结订单总金额,…` and its row. 手续费 is positive on a payment
and negative (given back) on a refund.

Both providers charge their fee per trade, to the fen (half-up), and give a refund back its
share of the fee. The share is computed on the running refunded total, so refunding a trade
in several parts gives back exactly the whole fee, never a fen more or less.

Django-free, like the simulators. The simulators serve any day, today's too, so tests need not
wait for tomorrow (the real providers publish a day's bill the next morning).
"""

import csv
import hashlib
import io
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")

ALIPAY_DETAIL_COLUMNS = [
    "支付宝交易号", "商户订单号", "业务类型", "商品名称", "创建时间", "完成时间", "门店编号", "门店名称",
    "操作员", "终端号", "对方账户", "订单金额（元）", "商家实收（元）", "支付宝红包（元）", "集分宝（元）",
    "支付宝优惠（元）", "商家优惠（元）", "券核销金额（元）", "券名称", "商家红包消费金额（元）",
    "卡消费金额（元）", "退款批次号/请求号", "服务费（元）", "分润（元）", "备注",
]
ALIPAY_SUMMARY_COLUMNS = [
    "门店编号", "门店名称", "交易订单总笔数", "退款订单总笔数", "订单金额（元）", "商家实收（元）",
    "支付宝优惠（元）", "商家优惠（元）", "卡消费金额（元）", "服务费（元）", "分润（元）", "实收净额（元）",
]
WECHAT_COLUMNS = [
    "交易时间", "公众账号ID", "商户号", "特约商户号", "设备号", "微信订单号", "商户订单号", "用户标识",
    "交易类型", "交易状态", "付款银行", "货币种类", "应结订单金额", "代金券金额", "微信退款单号",
    "商户退款单号", "退款金额", "充值券退款金额", "退款类型", "退款状态", "商品名称", "商户数据包",
    "手续费", "费率", "订单金额", "申请退款金额", "费率备注",
]
WECHAT_SUMMARY_COLUMNS = ["总交易单数", "应结订单总金额", "退款总金额", "充值券退款总金额", "手续费总金额",
                          "订单总金额", "申请退款总金额"]


def fee_for(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate).quantize(FEN, rounding=ROUND_HALF_UP)


def fees_returned(total: Decimal, fee: Decimal, refunds: list[Decimal]) -> list[Decimal]:
    """The fee each refund of a trade gives back, in the order the refunds were made."""
    out, refunded, given = [], ZERO, ZERO
    for amount in refunds:
        refunded += amount
        share = (fee * refunded / total).quantize(FEN, rounding=ROUND_HALF_UP)
        out.append(share - given)
        given = share
    return out


def money(value: Decimal) -> str:
    return f"{value + 0:.2f}" if value else "0.00"  # never "-0.00"


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def _cn_day(moment: datetime) -> str:
    return moment.strftime("%Y年%m月%d日 %H:%M:%S")


# ---- Alipay ----

def alipay_rows(sim, day: date) -> list[dict]:
    """The trades paid and the refunds made on `day` (simulator local time), oldest first."""
    prefix, rate, rows = day.isoformat(), sim.fee_rate, []
    for trade in sim.trades.values():
        if not trade.paid_at:
            continue
        total = Decimal(trade.total_amount)
        fee = fee_for(total, rate)
        if trade.paid_at.startswith(prefix):
            rows.append({"trade": trade, "kind": "交易", "at": trade.paid_at, "created": trade.created_at,
                         "net": total, "service": -fee, "request_no": ""})
        amounts = [Decimal(amount) for amount in trade.refunds.values()]
        for (request_no, amount), back in zip(trade.refunds.items(), fees_returned(total, fee, amounts), strict=True):
            at = trade.refunded_at.get(request_no, "")
            if at.startswith(prefix):
                rows.append({"trade": trade, "kind": "退款", "at": at, "created": at, "net": -Decimal(amount),
                             "service": back, "request_no": request_no})
    rows.sort(key=lambda row: (row["at"], row["trade"].trade_no))
    return rows


def alipay_detail_csv(sim, day: date, exported_at: datetime) -> str:
    rows = alipay_rows(sim, day)
    start = datetime.combine(day, time.min)
    start_text, end_text = _cn_day(start), _cn_day(start + timedelta(days=1))
    rule = "#" + "-" * 41
    lines = ["#支付宝业务明细查询", f"#账号：[{sim.seller_id}]", f"#起始日期：[{start_text}]   终止日期：[{end_text}]",
             f"{rule}业务明细列表{'-' * 40}"]
    table = [ALIPAY_DETAIL_COLUMNS]
    for row in rows:
        trade = row["trade"]
        table.append([value + "\t" for value in [
            trade.trade_no, trade.out_trade_no, row["kind"], trade.subject, row["created"], row["at"], "", "", "",
            "", "buy***@example.com", trade.total_amount, money(row["net"]), "0.00", "0.00", "0.00", "0.00",
            "0.00", "", "0.00", "0.00", row["request_no"], money(row["service"]), "0.00", ""]])
    trades = [row for row in rows if row["kind"] == "交易"]
    refunds = [row for row in rows if row["kind"] == "退款"]
    trailer = [
        f"{rule}业务明细列表结束{'-' * 36}",
        f"#交易合计：{len(trades)}笔，商家实收：{money(sum((r['net'] for r in trades), ZERO))}元，商家优惠：0.00元",
        f"#退款合计：{len(refunds)}笔，商家实收：{money(sum((r['net'] for r in refunds), ZERO))}元，商家优惠：0.00元",
        f"#导出时间：[{_cn_day(exported_at)}]",
    ]
    return "\r\n".join(lines) + "\r\n" + _csv(table) + "\r\n".join(trailer) + "\r\n"


def alipay_summary_csv(sim, day: date, exported_at: datetime) -> str:
    rows = alipay_rows(sim, day)
    net = sum((row["net"] for row in rows), ZERO)
    service = sum((row["service"] for row in rows), ZERO)
    ordered = sum((Decimal(row["trade"].total_amount) for row in rows if row["kind"] == "交易"), ZERO)
    total = ["合计", "", str(sum(row["kind"] == "交易" for row in rows)), str(sum(row["kind"] == "退款" for row in rows)),
             money(ordered), money(net), "0.00", "0.00", "0.00", money(service), "0.00", money(net + service)]
    start = datetime.combine(day, time.min)
    return (f"#支付宝业务汇总查询\r\n#账号：[{sim.seller_id}]\r\n"
            f"#起始日期：[{_cn_day(start)}]   终止日期：[{_cn_day(start + timedelta(days=1))}]\r\n"
            + _csv([ALIPAY_SUMMARY_COLUMNS, total]) + f"#导出时间：[{_cn_day(exported_at)}]\r\n")


def alipay_bill_zip(sim, day: date, exported_at: datetime) -> tuple[str, bytes]:
    """(the download file name, the zip): GBK, as Alipay writes its bills."""
    stem = f"{sim.seller_id}_{day:%Y%m%d}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}_业务明细.csv",
                         alipay_detail_csv(sim, day, exported_at).encode("gbk", errors="replace"))
        archive.writestr(f"{stem}_业务明细(汇总).csv",
                         alipay_summary_csv(sim, day, exported_at).encode("gbk", errors="replace"))
    return f"{stem}.csv.zip", buffer.getvalue()


# ---- WeChat Pay ----

def _wechat_time(rfc3339: str) -> str:
    return datetime.fromisoformat(rfc3339).strftime("%Y-%m-%d %H:%M:%S")  # the simulator keeps +08:00


def wechat_rows(sim, day: date) -> list[list[str]]:
    prefix, rate, rows = day.isoformat(), sim.fee_rate, []
    percent = f"{rate * 100:.2f}%"
    for order in sim.orders.values():
        if not order.success_time:
            continue
        total = Decimal(order.total) / 100
        fee = fee_for(total, rate)
        common = [sim.appid, sim.mchid, "0", "", order.transaction_id, order.out_trade_no, "o-simulated-payer",
                  "NATIVE"]
        if order.success_time.startswith(prefix):
            rows.append([_wechat_time(order.success_time), *common, "SUCCESS", "OTHERS", "CNY", money(total),
                         "0.00", "0", "0", "0.00", "0.00", "", "", order.description, "", money(fee), percent,
                         money(total), "0.00", ""])
        refunds = [row for row in sim.refunds.values() if row.out_trade_no == order.out_trade_no and row.success_time]
        amounts = [Decimal(row.refund) / 100 for row in refunds]
        for refund, amount, back in zip(refunds, amounts, fees_returned(total, fee, amounts), strict=True):
            if refund.success_time.startswith(prefix):
                rows.append([_wechat_time(refund.success_time), *common, "REFUND", "OTHERS", "CNY", "0.00", "0.00",
                             refund.refund_id, refund.out_refund_no, money(amount), "0.00", "ORIGINAL", "SUCCESS",
                             order.description, "", money(-back), percent, "0.00", money(amount), ""])
    rows.sort(key=lambda row: (row[0], row[5]))
    return rows


def wechat_trade_bill(sim, day: date) -> bytes | None:
    """The day's trade bill, or None when nothing succeeded that day (WeChat then answers
    NO_STATEMENT_EXIST rather than sending an empty file)."""
    rows = wechat_rows(sim, day)
    if not rows:
        return None
    column = {name: index for index, name in enumerate(WECHAT_COLUMNS)}

    def total(name: str) -> str:
        return money(sum((Decimal(row[column[name]]) for row in rows), ZERO))

    summary = [str(len(rows)), total("应结订单金额"), total("退款金额"), total("充值券退款金额"), total("手续费"),
               total("订单金额"), total("申请退款金额")]
    text = _csv([WECHAT_COLUMNS, *[["`" + value for value in row] for row in rows], WECHAT_SUMMARY_COLUMNS,
                 ["`" + value for value in summary]])
    return text.encode("utf-8")


def sha1_hex(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()  # the hash WeChat Pay states for its bills
