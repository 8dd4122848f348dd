"""The shop's settlement in the shop API, under /api/v1/shop/finance/ on the shop's host: the
balance, statements (对账单) with their lines and downloads, and payouts (打款).

Money: the "finance" section opens it (owner and manager) and API tokens are refused whatever
their scopes. The shop is the host's, never the input's: every read goes through `interface`
with this shop's id, so another shop's statement id is 404 like one that does not exist. All
amounts are strings with two decimals, in the shop's favour (negative: charged to the shop).
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from backend.api.errors import NotFound, ServiceError
from backend.api.pagination import Pagination, page_schema
from tenant_apps.shop.api import ShopApiView

from . import interface, statement_files
from .models import AccountKind, EntryKind, PayoutChannel, PayoutStatus

TAGS = ["finance"]


def _money(help_text: str = "") -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, help_text=help_text)


@extend_schema_serializer(component_name="ShopFinanceBalance")
class BalanceOut(serializers.Serializer):
    owed = _money("What the platform owes the shop now: its payable balance (negative: the shop owes).")
    in_statements = _money("The part of `owed` in statements no payout has sent yet (unpaid, or in a "
                           "pending payout).")
    not_settled = _money("The rest of `owed`: money of orders not settled yet (after-sales window open).")
    in_transit = _money("Payouts sent and not confirmed yet (no longer in `owed`).")
    deposit = _money("The shop's deposit (保证金) held by the platform.")


@extend_schema_serializer(component_name="ShopFinanceStatement")
class StatementOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    period_start = serializers.DateTimeField(allow_null=True, help_text="Null for the shop's first statement.")
    period_end = serializers.DateTimeField()
    gross_sales = _money("Online payments captured for the shop's sub-orders.")
    refunds = _money("Refunds charged to the shop (negative).")
    commission = _money("Commission on online sales (negative; positive when given back after a refund).")
    fees = _money("Payment provider fees borne by the shop.")
    platform_discounts = _money("Discounts the platform funded, paid to the shop.")
    penalties = _money()
    adjustments = _money()
    offline_commission = _money("Commission on sales paid to the shop directly, netted here.")
    deposits = _money("Deposits paid out of (negative) or deducted into the payable.")
    net_payable = _money("The sum of the totals above: what the platform owes the shop for this statement.")
    offline_sales = _money("Sales paid to the shop directly (not in the totals).")
    line_count = serializers.IntegerField(help_text="Order lines settled in it.")
    created_at = serializers.DateTimeField()
    payout_number = serializers.CharField(help_text="The payout paying it; empty while unpaid.")
    payout_status = serializers.CharField(help_text="That payout's status; empty while unpaid.")


@extend_schema_serializer(component_name="ShopFinanceSettledLine")
class LineOut(serializers.Serializer):
    id = serializers.IntegerField()
    order_line_id = serializers.IntegerField()
    sub_order_number = serializers.CharField()
    sku_code = serializers.CharField()
    title = serializers.CharField()
    quantity = serializers.IntegerField()
    net_paid = _money("Paid less refunded (for a claw-back: the change).")
    platform_discount = _money("The platform-funded discount on the net paid.")
    commission_rate = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="0.0500 = 5 %.")
    commission = _money("Commission on the net paid plus the platform-funded discount, half-up to the fen.")
    version = serializers.IntegerField(help_text="1: first settled; above 1: a claw-back after a refund.")
    offline = serializers.BooleanField(help_text="Paid to the shop directly.")


@extend_schema_serializer(component_name="ShopFinanceEntryTotal")
class EntryTotalOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EntryKind.choices)
    account_kind = serializers.ChoiceField(
        choices=[(AccountKind.SHOP_PAYABLE.value, AccountKind.SHOP_PAYABLE.label),
                 (AccountKind.SHOP_RECEIVABLE.value, AccountKind.SHOP_RECEIVABLE.label)])
    amount = _money("In the shop's favour.")
    lines = serializers.IntegerField(help_text="Ledger lines of this kind.")


@extend_schema_serializer(component_name="ShopFinancePayoutMove")
class PayoutMoveOut(serializers.Serializer):
    from_status = serializers.CharField(help_text="Empty for the first move.")
    to_status = serializers.ChoiceField(choices=PayoutStatus.choices)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


@extend_schema_serializer(component_name="ShopFinancePayout")
class PayoutOut(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    amount = _money()
    channel = serializers.ChoiceField(choices=PayoutChannel.choices)
    status = serializers.ChoiceField(choices=PayoutStatus.choices)
    bank_name = serializers.CharField()
    account_last4 = serializers.CharField()
    channel_reference = serializers.CharField()
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    statement_numbers = serializers.ListField(child=serializers.CharField(),
                                              help_text="The statements it pays (none once failed).")
    moves = PayoutMoveOut(many=True)


LinePage = page_schema("PaginatedShopFinanceSettledLineList", LineOut)


@extend_schema_serializer(component_name="ShopFinanceStatementDetail")
class StatementDetailOut(serializers.Serializer):
    statement = StatementOut()
    entries = EntryTotalOut(many=True, help_text="The statement's ledger lines added up by kind.")
    payout = PayoutOut(allow_null=True)
    lines = LinePage


PAGE_PARAMETERS = [OpenApiParameter("page", int, description="Page number (a page past the end is 404)."),
                   OpenApiParameter("page_size", int, description="Rows per page (at most 100).")]


class FinanceApiView(ShopApiView):
    section = "finance"
    token_access = False


def _statement(request, statement_id: int) -> interface.StatementDetail:
    detail = interface.shop_statement(shop_id=request.tenant.pk, statement_id=statement_id)
    if detail is None:
        raise NotFound(_("No such statement."), code="statement_not_found")
    return detail


class BalanceApi(FinanceApiView):
    @extend_schema(tags=TAGS, summary="Read the shop's balance", operation_id="shop_finance_balance",
                   description="What the platform owes the shop, how much of it is in statements and "
                               "how much is not settled yet; payouts on the way; the deposit.",
                   responses={200: BalanceOut})
    def get(self, request):
        return Response(BalanceOut(interface.shop_balance(shop_id=request.tenant.pk)).data)


class StatementListApi(FinanceApiView):
    @extend_schema(tags=TAGS, summary="List the shop's statements", operation_id="shop_finance_statements_list",
                   description="Newest first.", parameters=PAGE_PARAMETERS,
                   responses={200: page_schema("PaginatedShopFinanceStatementList", StatementOut)})
    def get(self, request):
        return self.page(interface.shop_statements(shop_id=request.tenant.pk), StatementOut)


class StatementDetailApi(FinanceApiView):
    @extend_schema(tags=TAGS, summary="Read one statement with its lines",
                   operation_id="shop_finance_statements_retrieve",
                   description="The statement's totals, its ledger lines added up by kind, the payout paying "
                               "it, and one page of its settled order lines (`page`, `page_size`; a page past "
                               "the end is 404). Another shop's statement is 404 `statement_not_found`.",
                   parameters=PAGE_PARAMETERS,
                   responses={200: StatementDetailOut})
    def get(self, request, statement_id: int):
        detail = _statement(request, statement_id)
        paginator = Pagination()
        rows = paginator.paginate_queryset(
            interface.shop_statement_lines(shop_id=request.tenant.pk, statement_id=statement_id), request, view=self)
        return Response(StatementDetailOut({
            "statement": detail.statement,
            "entries": detail.entries,
            "payout": detail.payout,
            "lines": {"count": paginator.page.paginator.count, "next": paginator.get_next_link(),
                      "previous": paginator.get_previous_link(), "results": rows},
        }).data)


FILE_FORMAT = OpenApiParameter("file_format", str, enum=list(statement_files.FORMATS), description="Default csv.")


class StatementDownloadApi(FinanceApiView):
    @extend_schema(tags=TAGS, summary="Download one statement as CSV or XLSX",
                   operation_id="shop_finance_statements_download",
                   description="The statement's summary (number, period, totals, net payable) and every "
                               "settled line. CSV: UTF-8 with a byte-order mark, the summary, an empty row, "
                               "then the lines; XLSX: sheets `summary` and `lines`. Amounts are numbers.",
                   parameters=[FILE_FORMAT],
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
                              (200, statement_files.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, statement_id: int):
        fmt = request.query_params.get("file_format") or "csv"
        if fmt not in statement_files.FORMATS:
            raise ServiceError(_("file_format is csv or xlsx."), fields={"file_format": [_("Use csv or xlsx.")]})
        detail = _statement(request, statement_id)
        lines = interface.shop_statement_lines(shop_id=request.tenant.pk, statement_id=statement_id)
        return statement_files.download(detail, lines, fmt=fmt, shop_name=request.tenant.name)


class PayoutListApi(FinanceApiView):
    @extend_schema(tags=TAGS, summary="List the shop's payouts", operation_id="shop_finance_payouts_list",
                   description="Newest first, with the statements each pays and its moves. Only the last "
                               "four digits of the account number.",
                   parameters=PAGE_PARAMETERS,
                   responses={200: page_schema("PaginatedShopFinancePayoutList", PayoutOut)})
    def get(self, request):
        return self.page(interface.shop_payouts(shop_id=request.tenant.pk), PayoutOut)
