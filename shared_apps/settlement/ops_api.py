"""The finance console's API on the operator host, under /api/v1/ops/finance/: the ledger's
health, settlement runs, statements, payouts, deposits and penalties, reconciliation, the ledger
browser and commission rules.

Administrators and finance read and act; auditors read (every GET) and get 403 on every write;
other operator roles and shoppers get 403. One view per resource, GET and POST split by role. Shops
are named by subdomain (`shop`), amounts are strings with at most two decimals, and every refusal
uses the one error body naming its field. Postings (deposits, penalties, adjustments) need a
`request_key` chosen by the client: the same key again returns the first entry, so a retried
request posts once.
"""

from __future__ import annotations

from typing import ClassVar

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from backend.api.errors import NotFound, field_error, validated
from backend.api.pagination import (
    Pagination,
    named_page_response,
    page_of,
    page_schema,
)
from backend.lib.ip import client_ip
from shared_apps.ops.api import IgnoreAcceptHeader, OperatorApi, errors

from . import payouts, reconciliation, runs, selectors, services
from .models import (
    Account,
    AccountKind,
    CommissionRule,
    EntryKind,
    ItemState,
    JournalEntry,
    Payout,
    PayoutChannel,
    PayoutStatus,
    ReconciliationImport,
    Resolution,
    SettlementRun,
    Statement,
)
from .ops_forms import WITHHELD, shop_by_subdomain
from .ops_views import ACT, READ, fetch_and_import
from .services import CASH_LOCATIONS

TAGS = ["ops-finance"]
MONEY = {"max_digits": 14, "decimal_places": 2}


class FinanceApi(OperatorApi):
    """Reading needs administrator, finance or auditor; writing administrator or finance."""

    @property
    def operator_roles(self):
        return READ if self.request.method in SAFE_METHODS else ACT


class ShopField(serializers.CharField):
    """A shop's subdomain in, the Shop out; unknown: 400 naming the field."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("help_text", "The shop's subdomain.")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        value = super().run_validation(data)  # the text's own checks (length) first
        if not value:
            return None
        shop = shop_by_subdomain(value)
        if shop is None:
            raise serializers.ValidationError(_("No such shop."))
        return shop


# --- output ------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsFinanceShopRef")
class ShopRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    subdomain = serializers.CharField()


@extend_schema_serializer(component_name="OpsFinanceTrialBalanceRow")
class TrialBalanceRowOut(serializers.Serializer):
    kind = serializers.CharField(help_text="All the accounts of this kind: one of " + ", ".join(AccountKind.values)
                                 + ".")
    debit = serializers.DecimalField(**MONEY)
    credit = serializers.DecimalField(**MONEY, help_text="Credits as a positive number.")
    balance = serializers.DecimalField(**MONEY, help_text="In the account's normal direction.")


@extend_schema_serializer(component_name="OpsFinanceProviderCash")
class ProviderCashOut(serializers.Serializer):
    provider = serializers.CharField()
    balance = serializers.DecimalField(**MONEY)


@extend_schema_serializer(component_name="OpsFinanceCommissionRule")
class CommissionRuleOut(serializers.Serializer):
    id = serializers.IntegerField()
    category_id = serializers.IntegerField(allow_null=True, help_text="null: every category.")
    category_name = serializers.CharField(source="category.name", allow_null=True, default=None)
    shop = ShopRefOut(allow_null=True, help_text="null: the platform's rate for every shop.")
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, help_text="0.0500 = 5 %.")
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(allow_null=True, help_text="Inclusive; null: until further notice.")
    note = serializers.CharField()
    created_by_user_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    in_force = serializers.SerializerMethodField(help_text="In force today (Asia/Shanghai).")

    def get_in_force(self, rule) -> bool:
        today = timezone.localdate()
        return rule.effective_from <= today and (rule.effective_to is None or rule.effective_to >= today)


@extend_schema_serializer(component_name="OpsFinanceOverview")
class OverviewOut(serializers.Serializer):
    trial_balance = TrialBalanceRowOut(many=True, help_text="Every kind of account, zeros included; the accounts "
                                                            "one by one are at `ledger/accounts/`.")
    total_debit = serializers.DecimalField(**MONEY)
    total_credit = serializers.DecimalField(**MONEY)
    balanced = serializers.BooleanField(help_text="Debits equal credits and every entry adds up to zero.")
    provider_cash = ProviderCashOut(many=True)
    shops_owed = serializers.DecimalField(**MONEY, help_text="The sum of every shop's payable.")
    open_payouts = serializers.IntegerField(help_text="Pending or sent.")
    open_payouts_amount = serializers.DecimalField(**MONEY)
    open_reconciliation_items = serializers.IntegerField(source="open_items")
    default_rule = CommissionRuleOut(allow_null=True, help_text="The platform default rate in force today.")
    warnings = serializers.ListField(child=serializers.CharField())


@extend_schema_serializer(component_name="OpsFinanceRun")
class RunOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="running, finished or failed.")
    cutoff = serializers.DateTimeField()
    started_by_user_id = serializers.IntegerField(allow_null=True, help_text="null: the daily run.")
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    lines_settled = serializers.IntegerField()
    statements_made = serializers.IntegerField()
    error = serializers.CharField()


@extend_schema_serializer(component_name="OpsFinanceStatement")
class StatementOut(serializers.Serializer):
    number = serializers.CharField()
    run_id = serializers.IntegerField()
    shop = ShopRefOut()
    period_start = serializers.DateTimeField(allow_null=True)
    period_end = serializers.DateTimeField()
    gross_sales = serializers.DecimalField(**MONEY)
    refunds = serializers.DecimalField(**MONEY)
    commission = serializers.DecimalField(**MONEY)
    fees = serializers.DecimalField(**MONEY)
    platform_discounts = serializers.DecimalField(**MONEY)
    penalties = serializers.DecimalField(**MONEY)
    adjustments = serializers.DecimalField(**MONEY)
    offline_commission = serializers.DecimalField(**MONEY)
    deposits = serializers.DecimalField(**MONEY)
    net_payable = serializers.DecimalField(**MONEY)
    offline_sales = serializers.DecimalField(**MONEY)
    line_count = serializers.IntegerField()
    payout = serializers.CharField(source="payout.number", allow_null=True, default=None,
                                   help_text="The payout that pays it; null: unpaid.")
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsFinanceRunDetail")
class RunDetailOut(RunOut):
    statements = StatementOut(many=True, source="statement_rows")


@extend_schema_serializer(component_name="OpsFinanceAccountRef")
class AccountRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    kind = serializers.CharField()
    shop_id = serializers.IntegerField(allow_null=True)
    provider = serializers.CharField()


@extend_schema_serializer(component_name="OpsFinanceEntryLine")
class EntryLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    account = AccountRefOut()
    amount = serializers.DecimalField(**MONEY, help_text="Signed: a debit positive, a credit negative.")


class OrderRefMixin(serializers.Serializer):
    """The order line's or sub-order's place in the orders, from `context["refs"]`."""

    sub_order_number = serializers.SerializerMethodField()
    order_number = serializers.SerializerMethodField()

    def _ref(self, row):
        subs, lines = self.context.get("refs", ({}, {}))
        return lines.get(getattr(row, "order_line_id", None)) or subs.get(getattr(row, "sub_order_id", None))

    def get_sub_order_number(self, row) -> str | None:
        ref = self._ref(row)
        return ref.sub_order_number if ref else None

    def get_order_number(self, row) -> str | None:
        ref = self._ref(row)
        return ref.order_number if ref else None


@extend_schema_serializer(component_name="OpsFinanceEntry")
class EntryOut(OrderRefMixin):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="One of: " + ", ".join(EntryKind.values) + ".")
    source_key = serializers.CharField()
    memo = serializers.CharField()
    reference = serializers.CharField()
    sub_order_id = serializers.IntegerField(allow_null=True)
    order_line_id = serializers.IntegerField(allow_null=True)
    occurred_at = serializers.DateTimeField()
    posted_at = serializers.DateTimeField()
    actor_user_id = serializers.IntegerField(allow_null=True)
    lines = EntryLineOut(many=True, source="lines.all")


@extend_schema_serializer(component_name="OpsFinanceSettledLine")
class SettledLineOut(OrderRefMixin):
    order_line_id = serializers.IntegerField()
    sub_order_id = serializers.IntegerField()
    title = serializers.SerializerMethodField()
    version = serializers.IntegerField(help_text="1: first settled; more: a claw-back of the differences.")
    net_paid = serializers.DecimalField(**MONEY)
    platform_discount = serializers.DecimalField(**MONEY)
    commission_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    commission = serializers.DecimalField(**MONEY)
    offline = serializers.BooleanField()

    def get_title(self, line) -> str | None:
        ref = self._ref(line)
        return ref.line_title if ref else None


@extend_schema_serializer(component_name="OpsFinancePayout")
class PayoutOut(serializers.Serializer):
    number = serializers.CharField()
    shop = ShopRefOut()
    amount = serializers.DecimalField(**MONEY)
    channel = serializers.ChoiceField(choices=PayoutChannel.choices)
    status = serializers.ChoiceField(choices=PayoutStatus.choices)
    bank_name = serializers.CharField()
    account_name = serializers.CharField()
    account_last4 = serializers.CharField(help_text="The account number's last four digits only.")
    channel_reference = serializers.CharField()
    failure_reason = serializers.CharField()
    created_by_user_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="OpsFinancePayoutMove")
class PayoutMoveOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor_user_id = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsFinancePayoutDetail")
class PayoutDetailOut(PayoutOut):
    moves = PayoutMoveOut(many=True, source="moves.all")
    statements = serializers.SerializerMethodField(help_text="The numbers of the statements it pays.")

    def get_statements(self, payout) -> list[str]:
        return list(payout.statements.order_by("period_end").values_list("number", flat=True))


@extend_schema_serializer(component_name="OpsFinanceSkippedShop")
class SkippedOut(serializers.Serializer):
    shop_id = serializers.IntegerField()
    reason = serializers.CharField()


@extend_schema_serializer(component_name="OpsFinancePrepared")
class PreparedOut(serializers.Serializer):
    made = PayoutOut(many=True)
    skipped = SkippedOut(many=True)


@extend_schema_serializer(component_name="OpsFinanceParseError")
class ParseErrorOut(serializers.Serializer):
    line_no = serializers.IntegerField(help_text="1-based line of the file.")
    message = serializers.CharField()


@extend_schema_serializer(component_name="OpsFinanceImport")
class ImportOut(serializers.Serializer):
    id = serializers.IntegerField()
    provider = serializers.CharField()
    day = serializers.DateField()
    filename = serializers.CharField()
    lines = serializers.IntegerField()
    matched = serializers.IntegerField()
    mismatched = serializers.IntegerField()
    unmatched = serializers.IntegerField(help_text="In the file, not in the ledger.")
    missing = serializers.IntegerField(help_text="In the ledger, not in the file.")
    open_items = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField(help_text="Rows of the file that could not be read.")
    imported_by_user_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_open_items(self, run) -> int:
        counted = getattr(run, "open_count", None)  # annotated on lists
        return counted if counted is not None else run.items.filter(resolution=Resolution.OPEN).count()

    @extend_schema_field(ParseErrorOut(many=True))
    def get_errors(self, run):
        return [{"line_no": line_no, "message": message} for line_no, message in run.errors]


@extend_schema_serializer(component_name="OpsFinanceImportItem")
class ItemOut(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ItemState.choices)
    kind = serializers.CharField(help_text="payment or refund.")
    reference = serializers.CharField()
    line_no = serializers.IntegerField(allow_null=True)
    file_amount = serializers.DecimalField(**MONEY, allow_null=True)
    file_fee = serializers.DecimalField(**MONEY, allow_null=True)
    ledger_amount = serializers.DecimalField(**MONEY, allow_null=True)
    ledger_fee = serializers.DecimalField(**MONEY, allow_null=True)
    difference = serializers.SerializerMethodField(help_text="The provider's cash less the ledger's, for this item.")
    resolution = serializers.CharField(help_text="open, resolved or adjusted.")
    note = serializers.CharField()
    resolved_by_user_id = serializers.IntegerField(allow_null=True)
    resolved_at = serializers.DateTimeField(allow_null=True)
    adjustment_entry_id = serializers.IntegerField(allow_null=True)

    @extend_schema_field(serializers.DecimalField(**MONEY))
    def get_difference(self, item):
        return f"{reconciliation.difference(item):.2f}"


@extend_schema_serializer(component_name="OpsFinanceAccount")
class AccountOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=AccountKind.choices)
    shop = ShopRefOut(allow_null=True)
    provider = serializers.CharField()
    normal_side = serializers.CharField(help_text="debit or credit.")
    debit = serializers.DecimalField(**MONEY)
    credit = serializers.DecimalField(**MONEY)
    balance = serializers.DecimalField(**MONEY, help_text="In the account's normal direction.")


@extend_schema_serializer(component_name="OpsFinanceAccountLine")
class AccountLineOut(serializers.Serializer):
    id = serializers.IntegerField()
    entry_id = serializers.IntegerField()
    entry_kind = serializers.CharField(source="entry.kind")
    source_key = serializers.CharField(source="entry.source_key")
    memo = serializers.CharField(source="entry.memo")
    reference = serializers.CharField(source="entry.reference")
    occurred_at = serializers.DateTimeField(source="entry.occurred_at")
    amount = serializers.DecimalField(**MONEY, help_text="Signed: a debit positive, a credit negative.")
    running_balance = serializers.DecimalField(**MONEY, allow_null=True, default=None,
                                               help_text="The balance just after this line (with `running`).")


# --- input -------------------------------------------------------------------------------------


class RequestKeyMixin(serializers.Serializer):
    request_key = serializers.RegexField(r"^[A-Za-z0-9_.:-]{8,64}$", help_text=(
        "Chosen by the client (a UUID, say) and unique per posting: sent again, it returns the first "
        "entry instead of posting twice."))
    shop = ShopField()
    amount = serializers.DecimalField(**MONEY, min_value=0)


@extend_schema_serializer(component_name="OpsFinanceDepositPaidInput")
class DepositPaidIn(RequestKeyMixin):
    source = serializers.ChoiceField(choices=sorted(CASH_LOCATIONS) + [WITHHELD], help_text=(
        "Where the money came from: the platform's cash at a provider or the bank, or `withheld` from what "
        "the platform owes the shop."))
    memo = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="OpsFinanceReasonPostingInput")
class ReasonPostingIn(RequestKeyMixin):
    reason = serializers.CharField(max_length=300, help_text="Kept in the audit log.")


@extend_schema_serializer(component_name="OpsFinanceAdjustmentInput")
class AdjustmentIn(ReasonPostingIn):
    amount = serializers.DecimalField(**MONEY, help_text="Positive: the shop is owed more; negative: less.")
    confirm_negative = serializers.BooleanField(default=False, help_text=(
        "Needed when the adjustment leaves the payable below zero (else 409 `balance_would_go_negative`)."))


# --- overview ----------------------------------------------------------------------------------


class OverviewApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_overview", summary="The ledger's health at a glance",
                   responses={200: OverviewOut, **errors(403)},
                   description="The trial balance (every account, its debits and credits; the totals are equal "
                               "when the ledger balances), cash per provider, what shops are owed, open payouts, "
                               "open reconciliation items and the platform default commission rate (a warning "
                               "when there is none: sales no other rule covers settle at 0 %).")
    def get(self, request):
        data = selectors.finance_overview()
        warnings = []
        if data.default_rule is None:
            warnings.append(_("No platform default commission rate is in force: sales no other rule covers are "
                              "settled at 0 %."))
        if not data.balanced:
            warnings.append(_("The ledger does not balance."))
        cash = [{"provider": provider, "balance": amount} for provider, amount in data.provider_cash]
        return Response(OverviewOut({**vars(data), "provider_cash": cash, "warnings": warnings}).data)


# --- runs --------------------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsFinanceRunStartInput")
class RunStartIn(serializers.Serializer):
    cutoff = serializers.DateTimeField(required=False, help_text="Settle what is due by then; default: now.")

    def validate_cutoff(self, value):
        if value > timezone.now():
            raise serializers.ValidationError(_("The cutoff cannot be in the future."))
        return value


class RunListApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_runs_list", summary="List settlement runs",
                   responses={200: page_schema("OpsFinanceRunPage", RunOut), **errors(403, 404)},
                   description="Newest first.")
    def get(self, request):
        return named_page_response(self, request, SettlementRun.objects.all(), RunOut)

    @extend_schema(tags=TAGS, operation_id="ops_finance_run_start", summary="Run settlement now",
                   request=RunStartIn, responses={201: RunDetailOut, **errors(400, 403, 409)},
                   description="Settles every order line due by `cutoff` and makes one statement per shop, in "
                               "one transaction. 409 `run_in_progress` while another run holds the lock.")
    def post(self, request):
        data = validated(RunStartIn, request.data)
        run = runs.run_start(cutoff=data.get("cutoff"), actor_user_id=request.user.pk)
        return Response(_run_data(run), status=status.HTTP_201_CREATED)


def _run_data(run: SettlementRun) -> dict:
    run.statement_rows = run.statements.select_related("shop", "payout").order_by("shop_id")
    return RunDetailOut(run).data


class RunDetailApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_run_retrieve", summary="One settlement run with its statements",
                   responses={200: RunDetailOut, **errors(403, 404)})
    def get(self, request, pk: int):
        run = SettlementRun.objects.filter(pk=pk).first()
        if run is None:
            raise NotFound(_("No such run."))
        return Response(_run_data(run))


# --- statements --------------------------------------------------------------------------------


class StatementListApi(FinanceApi):
    class Input(serializers.Serializer):
        shop = ShopField(required=False)
        run = serializers.IntegerField(required=False, min_value=1, help_text="A settlement run's id.")

    @extend_schema(tags=TAGS, operation_id="ops_finance_statements_list", summary="List statements",
                   parameters=[Input],
                   responses={200: page_schema("OpsFinanceStatementPage", StatementOut), **errors(400, 403, 404)},
                   description="Newest first; `shop` (subdomain) and `run` filter. An unknown shop is a 400.")
    def get(self, request):
        params = validated(self.Input, request.query_params)
        rows = Statement.objects.select_related("shop", "payout")
        if params.get("shop") is not None:
            rows = rows.filter(shop=params["shop"])
        if params.get("run") is not None:
            rows = rows.filter(run_id=params["run"])
        return named_page_response(self, request, rows, StatementOut)


def _statement(number: str) -> Statement:
    statement = Statement.objects.select_related("shop", "payout").filter(number=number).first()
    if statement is None:
        raise NotFound(_("No such statement."))
    return statement


class StatementDetailApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_statement_retrieve", summary="One statement with its totals",
                   responses={200: StatementOut, **errors(403, 404)},
                   description="Its settled order lines are paged at `lines/`, the ledger entries it covers at "
                               "`entries/`.")
    def get(self, request, number: str):
        return Response(StatementOut(_statement(number)).data)


class StatementEntriesApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_statement_entries_list",
                   summary="The ledger entries a statement covers",
                   responses={200: page_schema("OpsFinanceEntryPage", EntryOut), **errors(403, 404)},
                   description="Oldest first; each entry with all its lines and accounts and, where it has one, "
                               "its sub-order and order numbers.")
    def get(self, request, number: str):
        return _paged_with_refs(self, request, selectors.statement_entries(_statement(number)), EntryOut)


class StatementLinesApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_statement_lines_list", summary="A statement's settled lines",
                   responses={200: page_schema("OpsFinanceSettledLinePage", SettledLineOut), **errors(403, 404)})
    def get(self, request, number: str):
        statement = _statement(number)
        return _paged_with_refs(self, request, statement.settled_lines.all(), SettledLineOut)


def _paged_with_refs(view, request, rows, serializer) -> Response:
    """`named_page_response` for rows that point into the orders: their order references in two queries."""
    paginator = Pagination()
    page = page_of(paginator, rows, request, view)
    refs = selectors.order_refs(sub_order_ids=[row.sub_order_id for row in page],
                                order_line_ids=[row.order_line_id for row in page])
    return paginator.get_paginated_response(serializer(page, many=True, context={"refs": refs}).data)


# --- payouts -----------------------------------------------------------------------------------


def _payout(number: str) -> Payout:
    payout = Payout.objects.select_related("shop").filter(number=number).first()
    if payout is None:
        raise NotFound(_("No such payout."))
    return payout


class PayoutListApi(FinanceApi):
    class Input(serializers.Serializer):
        status = serializers.ChoiceField(choices=PayoutStatus.choices, required=False)
        channel = serializers.ChoiceField(choices=PayoutChannel.choices, required=False)

    @extend_schema(tags=TAGS, operation_id="ops_finance_payouts_list", summary="List payouts", parameters=[Input],
                   responses={200: page_schema("OpsFinancePayoutPage", PayoutOut), **errors(400, 403, 404)},
                   description="Newest first.")
    def get(self, request):
        params = validated(self.Input, request.query_params)
        rows = Payout.objects.select_related("shop")
        if params.get("status"):
            rows = rows.filter(status=params["status"])
        if params.get("channel"):
            rows = rows.filter(channel=params["channel"])
        return named_page_response(self, request, rows, PayoutOut)


@extend_schema_serializer(component_name="OpsFinancePrepareInput")
class PrepareIn(serializers.Serializer):
    channel = serializers.ChoiceField(choices=PayoutChannel.choices)


class PayoutPrepareApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_payouts_prepare", summary="Prepare payouts of unpaid statements",
                   request=PrepareIn, responses={200: PreparedOut, **errors(400, 403)},
                   description="One pending payout per shop whose unpaid statements add up to more than zero; "
                               "`skipped` lists the other shops and why (paused, no approved bank account, a "
                               "payout still open, statements adding up to nothing).")
    def post(self, request):
        data = validated(PrepareIn, request.data)
        made, skipped = payouts.payouts_prepare(channel=data["channel"], actor_user_id=request.user.pk)
        return Response(PreparedOut({"made": made, "skipped": skipped}).data)


class PayoutDetailApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_payout_retrieve", summary="One payout with its moves",
                   responses={200: PayoutDetailOut, **errors(403, 404)})
    def get(self, request, number: str):
        return Response(PayoutDetailOut(_payout(number)).data)


class PayoutSendApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_payout_send", summary="Send a pending payout",
                   request=None, responses={200: PayoutDetailOut, **errors(403, 404, 409)},
                   description="Through the sandbox's settle-to-merchant transfer (分账), which answers at once: "
                               "the payout comes back paid or failed. Bank transfers are sent by the bank file. "
                               "409 `not_pending`, `payouts_paused`, `payout_exceeds_payable`.")
    def post(self, request, number: str):
        payout = payouts.payout_send(number=number, actor_user_id=request.user.pk)
        return Response(PayoutDetailOut(payout).data)


@extend_schema_serializer(component_name="OpsFinanceMarkPaidInput")
class MarkPaidIn(serializers.Serializer):
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True, default="",
                                      help_text="The bank's reference for the transfer.")


class PayoutMarkPaidApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_payout_mark_paid", summary="Record that the bank paid",
                   request=MarkPaidIn, responses={200: PayoutDetailOut, **errors(400, 403, 404, 409)},
                   description="Twice: no change. 409 `illegal_transition` unless the payout was sent.")
    def post(self, request, number: str):
        data = validated(MarkPaidIn, request.data)
        payout = payouts.payout_mark_paid(number=number, actor_user_id=request.user.pk, reference=data["reference"])
        return Response(PayoutDetailOut(payout).data)


@extend_schema_serializer(component_name="OpsFinanceMarkFailedInput")
class MarkFailedIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PayoutMarkFailedApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_payout_mark_failed", summary="Record that a payout failed",
                   request=MarkFailedIn, responses={200: PayoutDetailOut, **errors(400, 403, 404, 409)},
                   description="The money is owed to the shop again and its statements wait for the next "
                               "payout. Twice: no change. 409 once paid.")
    def post(self, request, number: str):
        data = validated(MarkFailedIn, request.data)
        payout = payouts.payout_mark_failed(number=number, actor_user_id=request.user.pk, reason=data["reason"])
        return Response(PayoutDetailOut(payout).data)


class BankFileApi(FinanceApi):
    renderer_classes: ClassVar[list] = [JSONRenderer]
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(tags=TAGS, operation_id="ops_finance_bank_file", summary="Download the bank transfer file",
                   request=None,
                   responses={(200, "text/csv"): OpenApiResponse(
                       response=OpenApiTypes.STR,
                       description="The pending bank-transfer payouts, full account numbers included, with the "
                                   "header " + ",".join(payouts.BANK_FILE_COLUMNS) + "; they become sent. "
                                   "Recorded in the audit log."),
                              **errors(403)})
    def post(self, request):
        content = payouts.bank_file(actor=request.user, ip=client_ip(request))
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="bank-transfers-{timezone.localtime():%Y%m%d-%H%M%S}.csv"'
        response["Cache-Control"] = "no-store"
        return response


# --- deposits, penalties and adjustments -------------------------------------------------------


def _entry_data(entry: JournalEntry) -> dict:
    entry = selectors.entry_whole(entry.pk)
    refs = selectors.order_refs(sub_order_ids=[entry.sub_order_id], order_line_ids=[entry.order_line_id])
    return EntryOut(entry, context={"refs": refs}).data


class DepositPaidApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_deposit_paid", summary="Post a deposit paid (保证金)",
                   request=DepositPaidIn, responses={201: EntryOut, **errors(400, 403, 409)},
                   description="Into the platform's cash at `source`, or withheld from the shop's payable. 409 "
                               "`source_key_reused` when the request key was used for other amounts.")
    def post(self, request):
        data = validated(DepositPaidIn, request.data)
        entry = services.post_deposit_paid(
            source_key=f"ops:deposit_paid:{data['request_key']}", shop_id=data["shop"].pk, amount=data["amount"],
            provider=None if data["source"] == WITHHELD else data["source"], memo=data["memo"])
        return Response(_entry_data(entry), status=status.HTTP_201_CREATED)


class DepositDeductedApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_deposit_deducted", summary="Post a deposit deducted",
                   request=ReasonPostingIn, responses={201: EntryOut, **errors(400, 403, 409)},
                   description="The deposit covers what the shop owes: the deposit falls, the payable rises. "
                               "409 `deposit_insufficient`. Audited.")
    def post(self, request):
        data = validated(ReasonPostingIn, request.data)
        entry = services.post_deposit_deducted(
            source_key=f"ops:deposit_deducted:{data['request_key']}", shop_id=data["shop"].pk,
            amount=data["amount"], reason=data["reason"], actor_user_id=request.user.pk)
        return Response(_entry_data(entry), status=status.HTTP_201_CREATED)


class PenaltyApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_penalty", summary="Post a penalty",
                   request=ReasonPostingIn, responses={201: EntryOut, **errors(400, 403, 409)},
                   description="Out of the shop's payable (which may go negative). Audited.")
    def post(self, request):
        data = validated(ReasonPostingIn, request.data)
        entry = services.post_penalty(source_key=f"ops:penalty:{data['request_key']}", shop_id=data["shop"].pk,
                                      amount=data["amount"], reason=data["reason"], actor_user_id=request.user.pk)
        return Response(_entry_data(entry), status=status.HTTP_201_CREATED)


class AdjustmentApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_adjustment", summary="Adjust a shop's payable by hand",
                   request=AdjustmentIn, responses={201: EntryOut, **errors(400, 403, 409)},
                   description="409 `balance_would_go_negative` when it would leave the payable below zero, "
                               "unless `confirm_negative`. Audited with the balance before and after.")
    def post(self, request):
        data = validated(AdjustmentIn, request.data)
        entry = services.post_adjustment(
            source_key=f"ops:adjustment:{data['request_key']}",
            account=services.account_for_shop(shop_id=data["shop"].pk, kind=AccountKind.SHOP_PAYABLE),
            amount=data["amount"], reason=data["reason"], actor_user_id=request.user.pk,
            confirm_negative=data["confirm_negative"])
        return Response(_entry_data(entry), status=status.HTTP_201_CREATED)


# --- reconciliation ----------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsFinanceStatementUploadInput")
class UploadIn(serializers.Serializer):
    provider = serializers.ChoiceField(choices=reconciliation.PROVIDERS)
    file = serializers.FileField(help_text="The provider's daily statement, as downloaded.")
    day = serializers.DateField(required=False, allow_null=True, default=None,
                                help_text="Only for files that do not say their day.")


@extend_schema_serializer(component_name="OpsFinanceStatementFetchInput")
class FetchIn(serializers.Serializer):
    provider = serializers.ChoiceField(choices=reconciliation.PROVIDERS)
    day = serializers.DateField(help_text="Asia/Shanghai.")


class ImportListApi(FinanceApi):
    parser_classes: ClassVar[list] = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(tags=TAGS, operation_id="ops_finance_reconciliations_list", summary="List statement imports",
                   responses={200: page_schema("OpsFinanceImportPage", ImportOut), **errors(403, 404)},
                   description="Newest day first, with the counts of each state.")
    def get(self, request):
        rows = ReconciliationImport.objects.annotate(
            open_count=Count("items", filter=Q(items__resolution=Resolution.OPEN))).order_by("-day", "-id")
        return named_page_response(self, request, rows, ImportOut)

    @extend_schema(tags=TAGS, operation_id="ops_finance_reconciliation_upload",
                   summary="Import a provider's statement file",
                   request={"multipart/form-data": UploadIn}, responses={201: ImportOut, **errors(400, 403)},
                   description="Matches it line by line against the ledger. The same file again returns the "
                               "first import. A file in a wrong format is a 400 naming the line and column; "
                               "single unreadable rows are kept in `errors` with their line numbers.")
    def post(self, request):
        data = validated(UploadIn, request.data)
        upload = data["file"]
        if upload.size > reconciliation.MAX_BYTES:
            raise field_error("file", _("The file is larger than 64 MB."))
        run = reconciliation.statement_import(provider=data["provider"], content=upload.read(),
                                              actor_user_id=request.user.pk, filename=upload.name, day=data["day"])
        return Response(ImportOut(run).data, status=status.HTTP_201_CREATED)


class ImportFetchApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_reconciliation_fetch",
                   summary="Fetch a day's statement from the provider and import it",
                   request=FetchIn, responses={201: ImportOut, **errors(400, 403, 404, 502)},
                   description="404 `no_statement` when the provider has none for the day; 502 "
                               "`provider_unavailable` when it cannot be asked.")
    def post(self, request):
        data = validated(FetchIn, request.data)
        run = fetch_and_import(provider=data["provider"], day=data["day"], actor_user_id=request.user.pk)
        return Response(ImportOut(run).data, status=status.HTTP_201_CREATED)


def _import(pk: int) -> ReconciliationImport:
    run = ReconciliationImport.objects.filter(pk=pk).first()
    if run is None:
        raise NotFound(_("No such import."))
    return run


class ImportDetailApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_reconciliation_retrieve", summary="One statement import",
                   responses={200: ImportOut, **errors(403, 404)})
    def get(self, request, pk: int):
        return Response(ImportOut(_import(pk)).data)


class ImportItemsApi(FinanceApi):
    class Input(serializers.Serializer):
        state = serializers.ChoiceField(choices=ItemState.choices, required=False)

    @extend_schema(tags=TAGS, operation_id="ops_finance_reconciliation_items_list", summary="An import's items",
                   parameters=[Input],
                   responses={200: page_schema("OpsFinanceImportItemPage", ItemOut), **errors(400, 403, 404)})
    def get(self, request, pk: int):
        params = validated(self.Input, request.query_params)
        items = _import(pk).items.all()
        if params.get("state"):
            items = items.filter(state=params["state"])
        return named_page_response(self, request, items, ItemOut)


@extend_schema_serializer(component_name="OpsFinanceItemResolveInput")
class ItemResolveIn(serializers.Serializer):
    note = serializers.CharField(max_length=300, help_text="Why this is in order.")


@extend_schema_serializer(component_name="OpsFinanceItemAdjustInput")
class ItemAdjustIn(serializers.Serializer):
    note = serializers.CharField(max_length=300, help_text="The adjustment's reason.")
    confirm_negative = serializers.BooleanField(default=False)


class ItemResolveApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_reconciliation_item_resolve",
                   summary="Close an open item with a note", request=ItemResolveIn,
                   responses={200: ItemOut, **errors(400, 403, 404, 409)},
                   description="409 `already_resolved`.")
    def post(self, request, item_id: int):
        data = validated(ItemResolveIn, request.data)
        item = reconciliation.item_resolve(item_id=item_id, note=data["note"], actor_user_id=request.user.pk)
        return Response(ItemOut(item).data)


class ItemAdjustApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_reconciliation_item_adjust",
                   summary="Book an item's difference on the provider's cash", request=ItemAdjustIn,
                   responses={200: ItemOut, **errors(400, 403, 404, 409)},
                   description="An adjustment entry (audited) by the difference; 409 `nothing_to_adjust`, "
                               "`already_resolved`, `balance_would_go_negative` (unless `confirm_negative`).")
    def post(self, request, item_id: int):
        data = validated(ItemAdjustIn, request.data)
        item = reconciliation.item_adjust(item_id=item_id, note=data["note"], actor_user_id=request.user.pk,
                                          confirm_negative=data["confirm_negative"])
        return Response(ItemOut(item).data)


# --- the ledger --------------------------------------------------------------------------------


class AccountListApi(FinanceApi):
    class Input(serializers.Serializer):
        kind = serializers.ChoiceField(choices=AccountKind.choices, required=False)
        shop = ShopField(required=False)

    @extend_schema(tags=TAGS, operation_id="ops_finance_accounts_list", summary="Ledger accounts with balances",
                   parameters=[Input],
                   responses={200: page_schema("OpsFinanceAccountPage", AccountOut), **errors(400, 403, 404)})
    def get(self, request):
        params = validated(self.Input, request.query_params)
        shop = params.get("shop")
        rows = selectors.accounts_with_balances(kind=params.get("kind", ""), shop_id=shop.pk if shop else None)
        return named_page_response(self, request, rows, AccountOut)


def _account(pk: int) -> Account:
    account = selectors.accounts_with_balances().filter(pk=pk).first()
    if account is None:
        raise NotFound(_("No such account."))
    return account


class AccountDetailApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_account_retrieve", summary="One ledger account",
                   responses={200: AccountOut, **errors(403, 404)})
    def get(self, request, pk: int):
        return Response(AccountOut(_account(pk)).data)


class AccountLinesApi(FinanceApi):
    class Input(serializers.Serializer):
        running = serializers.BooleanField(required=False, default=False,
                                           help_text="Add each line's running balance.")

    @extend_schema(tags=TAGS, operation_id="ops_finance_account_lines_list", summary="One account's lines",
                   parameters=[Input],
                   responses={200: page_schema("OpsFinanceAccountLinePage", AccountLineOut), **errors(400, 403, 404)},
                   description="Newest first.")
    def get(self, request, pk: int):
        params = validated(self.Input, request.query_params)
        return named_page_response(self, request, selectors.account_lines(_account(pk), running=params["running"]),
                     AccountLineOut)


class EntryDetailApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_entry_retrieve", summary="One ledger entry with all its lines",
                   responses={200: EntryOut, **errors(403, 404)})
    def get(self, request, pk: int):
        if not JournalEntry.objects.filter(pk=pk).exists():
            raise NotFound(_("No such entry."))
        return Response(_entry_data(JournalEntry(pk=pk)))


# --- commission rules --------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsFinanceCommissionRuleInput")
class RuleIn(serializers.Serializer):
    rate = serializers.DecimalField(max_digits=5, decimal_places=4, min_value=0,
                                    help_text="A fraction below 1: 0.0550 = 5.5 %.")
    category_id = serializers.IntegerField(required=False, allow_null=True, default=None,
                                           help_text="null: every category.")
    shop = ShopField(required=False, allow_null=True, default=None, help_text="A subdomain; null: every shop.")
    effective_from = serializers.DateField()
    effective_to = serializers.DateField(required=False, allow_null=True, default=None,
                                         help_text="Inclusive; null: until further notice.")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


@extend_schema_serializer(component_name="OpsFinanceCommissionRuleEndInput")
class RuleEndIn(serializers.Serializer):
    effective_to = serializers.DateField(help_text="The last day the rule is in force.")


class RuleListApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_commission_rules_list", summary="List commission rules",
                   responses={200: page_schema("OpsFinanceCommissionRulePage", CommissionRuleOut),
                              **errors(403, 404)})
    def get(self, request):
        rows = CommissionRule.objects.select_related("category", "shop").order_by(
            "category_id", "shop_id", "-effective_from")
        return named_page_response(self, request, rows, CommissionRuleOut)

    @extend_schema(tags=TAGS, operation_id="ops_finance_commission_rule_create", summary="Create a commission rule",
                   request=RuleIn, responses={201: CommissionRuleOut, **errors(400, 403, 409)},
                   description="No category and no shop: the platform default. 409 `commission_rule_overlap` "
                               "when a rule of the same category and shop covers any of the days. Audited.")
    def post(self, request):
        data = validated(RuleIn, request.data)
        rule = services.commission_rule_create(
            rate=data["rate"], effective_from=data["effective_from"], effective_to=data["effective_to"],
            category_id=data["category_id"], shop_id=data["shop"].pk if data["shop"] else None, note=data["note"],
            actor_user_id=request.user.pk)
        return Response(CommissionRuleOut(rule).data, status=status.HTTP_201_CREATED)


class RuleEndApi(FinanceApi):
    @extend_schema(tags=TAGS, operation_id="ops_finance_commission_rule_end", summary="End a commission rule",
                   request=RuleEndIn, responses={200: CommissionRuleOut, **errors(400, 403, 404, 409)},
                   description="Sets its last day; past commission is unchanged (rates are snapshotted). 409 "
                               "when the new end would overlap the next rule.")
    def post(self, request, pk: int):
        data = validated(RuleEndIn, request.data)
        rule = services.commission_rule_end(rule_id=pk, effective_to=data["effective_to"],
                                            actor_user_id=request.user.pk)
        return Response(CommissionRuleOut(rule).data)

