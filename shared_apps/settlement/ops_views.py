"""The finance console (财务后台) on the operator host, under /finance/: the ledger's health,
settlement runs and their statements, payouts, deposits and penalties, reconciliation with the
providers' statements, a ledger browser that drills down to order lines, and commission rules.

Administrators and finance act; auditors read every page but get 403 on every action (the
buttons are hidden from them); other operator roles and shoppers get 403. Every write goes
through the settlement services, which check amounts, balances and states; the pages show their
refusals next to the field they name, with the service's 4xx status.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.api.errors import ServiceError, field_error
from backend.lib.forms import attach_service_error
from backend.lib.ip import client_ip
from shared_apps.accounts import roles
from shared_apps.ops.views import capabilities, operator_required
from tenants.models import Shop

from . import payouts, reconciliation, runs, selectors, services
from .models import (
    Account,
    AccountKind,
    CommissionRule,
    EntryKind,
    JournalEntry,
    Payout,
    ReconciliationImport,
    Resolution,
    SettlementRun,
    Statement,
    StatementEntry,
)
from .ops_forms import (
    POSTING_FORMS,
    WITHHELD,
    AccountFilterForm,
    AccountLinesForm,
    AdjustmentForm,
    CommissionRuleEndForm,
    CommissionRuleForm,
    DepositDeductedForm,
    DepositPaidForm,
    ItemFilterForm,
    ItemNoteForm,
    MarkFailedForm,
    MarkPaidForm,
    PayoutFilterForm,
    PenaltyForm,
    PrepareForm,
    StatementFetchForm,
    StatementFilterForm,
    StatementUploadForm,
)

READ = roles.FINANCE | roles.REVIEW  # auditors read the books
ACT = roles.FINANCE
PER_PAGE = 50
NAV = "finance"
POSTING_KINDS = (EntryKind.DEPOSIT_PAID, EntryKind.DEPOSIT_DEDUCTED, EntryKind.PENALTY, EntryKind.ADJUSTMENT)


def _render(request, template: str, context: dict, *, status: int = 200) -> HttpResponse:
    context = {"can": capabilities(request.user), "can_act": roles.has_operator_role(request.user, ACT),
               "nav_active": NAV, **context}
    return render(request, f"settlement/ops/{template}", context, status=status)


def _page(request, rows, per_page: int = PER_PAGE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _filter_error(form) -> str:
    """The first refused filter as `field: message`, for the top of a list page."""
    field, errors = next(iter(form.errors.items()))
    return f"{field}: {errors[0]}"


def _shops(ids) -> dict[int, Shop]:
    return Shop.objects.in_bulk({i for i in ids if i})


def _entries_with_refs(entries: list[JournalEntry]) -> list[JournalEntry]:
    """Each entry gets `order_ref` (its order line's or sub-order's place in the orders)."""
    subs, lines = selectors.order_refs(sub_order_ids=[e.sub_order_id for e in entries],
                                       order_line_ids=[e.order_line_id for e in entries])
    for entry in entries:
        entry.order_ref = lines.get(entry.order_line_id) or subs.get(entry.sub_order_id)
    return entries


# --- overview ----------------------------------------------------------------------------------


@operator_required(READ)
@require_GET
def overview(request):
    data = selectors.finance_overview()
    labels = dict(AccountKind.choices)
    rows = [(row, labels[row.kind]) for row in data.trial_balance]
    return _render(request, "overview.html", {"data": data, "rows": rows})


# --- settlement runs ---------------------------------------------------------------------------


def _runs_page(request, *, error: str = "", status: int = 200):
    return _render(request, "runs.html", {"page": _page(request, SettlementRun.objects.all()), "error": error},
                   status=status)


@operator_required(READ)
@require_GET
def run_list(request):
    return _runs_page(request)


@operator_required(ACT)
@require_POST
def run_start(request):
    try:
        run = runs.run_start(actor_user_id=request.user.pk)
    except ServiceError as exc:
        return _runs_page(request, error=exc.message, status=exc.status_code)
    messages.success(request, _("Run %(id)s settled %(lines)s lines into %(statements)s statements.")
                     % {"id": run.pk, "lines": run.lines_settled, "statements": run.statements_made})
    return redirect("ops-finance:run", run.pk)


@operator_required(READ)
@require_GET
def run_detail(request, pk: int):
    run = SettlementRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404("No such run.")
    statements = run.statements.select_related("shop", "payout").order_by("shop_id")
    return _render(request, "run_detail.html", {"run": run, "statements": statements})


# --- statements --------------------------------------------------------------------------------


@operator_required(READ)
@require_GET
def statement_list(request):
    form = StatementFilterForm(request.GET)
    statements = Statement.objects.select_related("shop", "run", "payout")
    if not form.is_valid():
        return _render(request, "statements.html", {"form": form, "error": _filter_error(form),
                                                    "page": _page(request, statements.none())}, status=400)
    if form.cleaned_data["shop"] is not None:
        statements = statements.filter(shop=form.cleaned_data["shop"])
    if form.cleaned_data["run"] is not None:
        statements = statements.filter(run_id=form.cleaned_data["run"])
    return _render(request, "statements.html", {"form": form, "page": _page(request, statements)})


@operator_required(READ)
@require_GET
def statement_detail(request, number: str):
    statement = Statement.objects.select_related("shop", "run", "payout").filter(number=number).first()
    if statement is None:
        raise Http404("No such statement.")
    page = _page(request, statement.settled_lines.all())
    _subs, line_refs = selectors.order_refs(order_line_ids=[line.order_line_id for line in page])
    for line in page:
        line.order_ref = line_refs.get(line.order_line_id)
    entries = Paginator(selectors.statement_entries(statement), PER_PAGE).get_page(request.GET.get("entries_page"))
    _entries_with_refs(list(entries))
    return _render(request, "statement_detail.html", {"statement": statement, "page": page, "entries": entries})


# --- payouts -----------------------------------------------------------------------------------


def _payouts_page(request, *, prepare: PrepareForm | None = None, error: str = "", status: int = 200):
    filters = PayoutFilterForm(request.GET)
    rows = Payout.objects.select_related("shop")
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            rows = rows.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["channel"]:
            rows = rows.filter(channel=filters.cleaned_data["channel"])
    else:
        error, status, rows = _filter_error(filters), 400, rows.none()
    return _render(request, "payouts.html", {
        "filters": filters, "page": _page(request, rows), "prepare": prepare or PrepareForm(), "error": error},
        status=status)


@operator_required(READ)
@require_GET
def payout_list(request):
    return _payouts_page(request)


@operator_required(ACT)
@require_POST
def payout_prepare(request):
    form = PrepareForm(request.POST)
    if not form.is_valid():
        return _payouts_page(request, prepare=form, status=400)
    try:
        made, skipped = payouts.payouts_prepare(channel=form.cleaned_data["channel"], actor_user_id=request.user.pk)
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _payouts_page(request, prepare=form, status=exc.status_code)
    shops = _shops(s.shop_id for s in skipped)
    return _render(request, "payouts_prepared.html", {
        "made": made, "skipped": [(s, shops.get(s.shop_id)) for s in skipped],
        "channel": form.cleaned_data["channel"]})


def _payout_page(request, number: str, *, paid: MarkPaidForm | None = None, failed: MarkFailedForm | None = None,
                 error: str = "", status: int = 200):
    payout = Payout.objects.select_related("shop").filter(number=number).first()
    if payout is None:
        raise Http404("No such payout.")
    return _render(request, "payout_detail.html", {
        "payout": payout, "moves": payout.moves.all(), "statements": payout.statements.select_related("shop", "payout").order_by("period_end"),
        "paid_form": paid or MarkPaidForm(), "failed_form": failed or MarkFailedForm(), "error": error},
        status=status)


@operator_required(READ)
@require_GET
def payout_detail(request, number: str):
    return _payout_page(request, number)


@operator_required(ACT)
@require_POST
def payout_send(request, number: str):
    try:
        payout = payouts.payout_send(number=number, actor_user_id=request.user.pk)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404("No such payout.") from exc
        return _payout_page(request, number, error=exc.message, status=exc.status_code)
    messages.success(request, _("Payout %(number)s is %(status)s.") % {
        "number": payout.number, "status": payout.get_status_display()})
    return redirect("ops-finance:payout", payout.number)


def _payout_form_action(request, number: str, form_class, slot: str, act, done: str):
    """A payout form (mark paid, mark failed): the form's errors or the service's refusal on the
    payout's page, else the message `done` and back to the payout."""
    form = form_class(request.POST)
    if not form.is_valid():
        return _payout_page(request, number, status=400, **{slot: form})
    try:
        payout = act(form.cleaned_data)
    except ServiceError as exc:
        if exc.status_code == 404:
            raise Http404("No such payout.") from exc
        attach_service_error(form, exc)
        return _payout_page(request, number, status=exc.status_code, **{slot: form})
    messages.success(request, done % {"number": payout.number})
    return redirect("ops-finance:payout", payout.number)


@operator_required(ACT)
@require_POST
def payout_mark_paid(request, number: str):
    return _payout_form_action(
        request, number, MarkPaidForm, "paid",
        lambda data: payouts.payout_mark_paid(number=number, actor_user_id=request.user.pk,
                                              reference=data["reference"]),
        _("Payout %(number)s is marked paid."))


@operator_required(ACT)
@require_POST
def payout_mark_failed(request, number: str):
    return _payout_form_action(
        request, number, MarkFailedForm, "failed",
        lambda data: payouts.payout_mark_failed(number=number, actor_user_id=request.user.pk,
                                                reason=data["reason"]),
        _("Payout %(number)s is marked failed; the shop is owed the money again."))


@operator_required(ACT)
@require_POST
def bank_file(request):
    """The pending bank transfers as a CSV for the bank; they become sent (the service audits
    the export: it holds full account numbers)."""
    content = payouts.bank_file(actor=request.user, ip=client_ip(request))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    name = f"bank-transfers-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- deposits, penalties and adjustments -------------------------------------------------------


def _postings_page(request, *, bound=None, error: str = "", needs_confirm: bool = False, status: int = 200):
    forms = {kind: form.blank() for kind, form in POSTING_FORMS.items()}
    if bound is not None:
        forms[bound.kind] = bound
    recent = JournalEntry.objects.filter(kind__in=POSTING_KINDS).order_by("-id").prefetch_related(
        "lines__account__shop")[:30]
    return _render(request, "postings.html", {
        "forms": forms, "recent": recent, "error": error, "error_kind": bound.kind if bound is not None else "",
        "needs_confirm": needs_confirm}, status=status)


@operator_required(READ)
@require_GET
def postings(request):
    return _postings_page(request)


def _post(form, user) -> JournalEntry:
    data, shop = form.cleaned_data, form.cleaned_data["shop"]
    key = form.source_key()
    if isinstance(form, DepositPaidForm):
        provider = None if data["source"] == WITHHELD else data["source"]
        return services.post_deposit_paid(source_key=key, shop_id=shop.pk, amount=data["amount"], provider=provider,
                                          memo=data["memo"] or _("deposit paid (by %(who)s)") % {"who": user})
    if isinstance(form, DepositDeductedForm):
        return services.post_deposit_deducted(source_key=key, shop_id=shop.pk, amount=data["amount"],
                                              reason=data["reason"], actor_user_id=user.pk)
    if isinstance(form, PenaltyForm):
        return services.post_penalty(source_key=key, shop_id=shop.pk, amount=data["amount"], reason=data["reason"],
                                     actor_user_id=user.pk)
    assert isinstance(form, AdjustmentForm)
    return services.post_adjustment(
        source_key=key, account=services.account_for_shop(shop_id=shop.pk, kind=AccountKind.SHOP_PAYABLE),
        amount=data["amount"], reason=data["reason"], actor_user_id=user.pk,
        confirm_negative=data["confirm_negative"])


@operator_required(ACT)
@require_POST
def posting_create(request, kind: str):
    form_class = POSTING_FORMS.get(kind)
    if form_class is None:
        raise Http404("No such posting.")
    form = form_class(request.POST, auto_id=form_class.auto_id())
    if not form.is_valid():
        return _postings_page(request, bound=form, status=400)
    try:
        entry = _post(form, request.user)
    except ServiceError as exc:
        attach_service_error(form, exc)
        confirm = exc.code == "balance_would_go_negative"
        return _postings_page(request, bound=form, error=exc.message if confirm else "", needs_confirm=confirm,
                              status=exc.status_code)
    messages.success(request, _("Posted %(kind)s entry #%(id)s.") % {"kind": entry.get_kind_display(),
                                                                     "id": entry.pk})
    return redirect("ops-finance:entry", entry.pk)


# --- reconciliation ----------------------------------------------------------------------------


def _imports_page(request, *, upload=None, fetch=None, status: int = 200):
    return _render(request, "reconciliation.html", {
        "page": _page(request, ReconciliationImport.objects.all()), "upload": upload or StatementUploadForm(),
        "fetch": fetch or StatementFetchForm(initial={"day": timezone.localdate()})}, status=status)


@operator_required(READ)
@require_GET
def import_list(request):
    return _imports_page(request)


@operator_required(ACT)
@require_POST
def import_upload(request):
    form = StatementUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _imports_page(request, upload=form, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > reconciliation.MAX_BYTES:
        form.add_error("file", _("The file is larger than 64 MB."))
        return _imports_page(request, upload=form, status=400)
    try:
        run = reconciliation.statement_import(provider=form.cleaned_data["provider"], content=upload.read(),
                                              actor_user_id=request.user.pk, filename=upload.name,
                                              day=form.cleaned_data["day"])
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _imports_page(request, upload=form, status=exc.status_code)
    return redirect("ops-finance:import", run.pk)


@operator_required(ACT)
@require_POST
def import_fetch(request):
    form = StatementFetchForm(request.POST)
    if not form.is_valid():
        return _imports_page(request, fetch=form, status=400)
    try:
        run = fetch_and_import(provider=form.cleaned_data["provider"], day=form.cleaned_data["day"],
                               actor_user_id=request.user.pk)
    except ServiceError as exc:
        attach_service_error(form, exc)
        return _imports_page(request, fetch=form, status=exc.status_code)
    return redirect("ops-finance:import", run.pk)


def fetch_and_import(*, provider: str, day, actor_user_id: int) -> ReconciliationImport:
    """Download a day's statement from the provider and import it. The provider having no
    statement for the day is a 404 on `day`; a provider that cannot be reached a 502."""
    from shared_apps.payments.providers.base import NoStatement, ProviderError
    from shared_apps.payments.statements import statement_fetch

    if day > timezone.localdate():
        raise field_error("day", _("The day has not happened yet."))
    try:
        content = statement_fetch(provider, day)
    except NoStatement as exc:
        message = _("The provider has no statement for that day.")
        raise ServiceError(f"day: {message}", code="no_statement", fields={"day": [message]},
                           status_code=404) from exc
    except ProviderError as exc:
        raise ServiceError(_("The provider could not be asked: %(why)s") % {"why": str(exc)[:200]},
                           code="provider_unavailable", status_code=502) from exc
    return reconciliation.statement_import(provider=provider, content=content, actor_user_id=actor_user_id,
                                           filename=f"{provider}-{day:%Y-%m-%d}.csv", day=day)


def _import_page(request, pk: int, *, item_error: tuple[int, str] | None = None, status: int = 200):
    run = ReconciliationImport.objects.filter(pk=pk).first()
    if run is None:
        raise Http404("No such import.")
    filters = ItemFilterForm(request.GET)
    items, error = run.items.select_related("adjustment_entry"), ""
    if not filters.is_valid():
        error, status, items = _filter_error(filters), 400, items.none()
    elif filters.cleaned_data["state"]:
        items = items.filter(state=filters.cleaned_data["state"])
    page = _page(request, items)
    for item in page:
        item.difference = reconciliation.difference(item)
        item.is_open = item.resolution == Resolution.OPEN
    if item_error is not None and not error:
        error = item_error[1]  # also above the table: the item may be on another page, or closed
    return _render(request, "import_detail.html", {
        "run": run, "filters": filters, "page": page, "error": error, "item_error": item_error,
        "note_form": ItemNoteForm()}, status=status)


@operator_required(READ)
@require_GET
def import_detail(request, pk: int):
    return _import_page(request, pk)


def _item_action(request, item_id: int, act):
    item = reconciliation.ReconciliationItem.objects.filter(pk=item_id).only("reconciliation_id").first()
    if item is None:
        raise Http404("No such reconciliation item.")
    form = ItemNoteForm(request.POST)
    if not form.is_valid():
        return _import_page(request, item.reconciliation_id, item_error=(item_id, _filter_error(form)), status=400)
    try:
        act(form.cleaned_data)
    except ServiceError as exc:
        return _import_page(request, item.reconciliation_id, item_error=(item_id, exc.message),
                            status=exc.status_code)
    messages.success(request, _("The item is closed."))
    return redirect(reverse("ops-finance:import", args=[item.reconciliation_id]) + f"#item-{item_id}")


@operator_required(ACT)
@require_POST
def item_resolve(request, item_id: int):
    return _item_action(request, item_id, lambda data: reconciliation.item_resolve(
        item_id=item_id, note=data["note"], actor_user_id=request.user.pk))


@operator_required(ACT)
@require_POST
def item_adjust(request, item_id: int):
    return _item_action(request, item_id, lambda data: reconciliation.item_adjust(
        item_id=item_id, note=data["note"], actor_user_id=request.user.pk,
        confirm_negative=data["confirm_negative"]))


# --- the ledger --------------------------------------------------------------------------------


@operator_required(READ)
@require_GET
def account_list(request):
    form = AccountFilterForm(request.GET)
    if not form.is_valid():
        return _render(request, "accounts.html", {"form": form, "error": _filter_error(form),
                                                  "page": _page(request, Account.objects.none())}, status=400)
    shop = form.cleaned_data["shop"]
    accounts = selectors.accounts_with_balances(kind=form.cleaned_data["kind"],
                                                shop_id=shop.pk if shop is not None else None)
    return _render(request, "accounts.html", {"form": form, "page": _page(request, accounts)})


@operator_required(READ)
@require_GET
def account_detail(request, pk: int):
    account = selectors.accounts_with_balances().filter(pk=pk).first()
    if account is None:
        raise Http404("No such account.")
    options = AccountLinesForm(request.GET)
    running = options.is_valid() and options.cleaned_data["running"]
    page = _page(request, selectors.account_lines(account, running=running))
    return _render(request, "account_detail.html", {"account": account, "page": page, "running": running})


@operator_required(READ)
@require_GET
def entry_detail(request, pk: int):
    entry = selectors.entry_whole(pk)
    if entry is None:
        raise Http404("No such entry.")
    _entries_with_refs([entry])
    covered = dict(StatementEntry.objects.filter(journal_line__entry=entry).values_list(
        "journal_line_id", "statement__number"))
    lines = [(line, covered.get(line.pk)) for line in entry.lines.all()]
    return _render(request, "entry_detail.html", {"entry": entry, "lines": lines})


# --- commission rules --------------------------------------------------------------------------


def _rules_page(request, *, form=None, end_error: tuple[int, str] | None = None, status: int = 200):
    today = timezone.localdate()
    page = _page(request, CommissionRule.objects.select_related("category", "shop").order_by(
        "category_id", "shop_id", "-effective_from"))
    for rule in page:
        rule.in_force = rule.effective_from <= today and (rule.effective_to is None or rule.effective_to >= today)
        rule.percent = rule.rate * 100
    return _render(request, "commission_rules.html", {
        "page": page, "form": form or CommissionRuleForm(initial={"effective_from": today}),
        "end_form": CommissionRuleEndForm(initial={"effective_to": today}), "end_error": end_error,
        "default_rule": selectors.platform_default_rule()}, status=status)


@operator_required(READ)
@require_GET
def rule_list(request):
    return _rules_page(request)


@operator_required(ACT)
@require_POST
def rule_create(request):
    form = CommissionRuleForm(request.POST)
    if not form.is_valid():
        return _rules_page(request, form=form, status=400)
    data = form.cleaned_data
    try:
        rule = services.commission_rule_create(
            rate=form.rate(), effective_from=data["effective_from"], effective_to=data["effective_to"],
            category_id=data["category"], shop_id=data["shop"].pk if data["shop"] else None, note=data["note"],
            actor_user_id=request.user.pk)
    except ServiceError as exc:
        for service_name, form_name in (("rate", "rate_percent"), ("category_id", "category"), ("shop_id", "shop")):
            if service_name in exc.fields:
                exc.fields[form_name] = exc.fields.pop(service_name)
        attach_service_error(form, exc)
        return _rules_page(request, form=form, status=exc.status_code)
    messages.success(request, _("The rate of %(percent)s %% is in force from %(start)s.")
                     % {"percent": rule.rate * 100, "start": rule.effective_from})
    return redirect("ops-finance:rules")


@operator_required(ACT)
@require_POST
def rule_end(request, pk: int):
    form = CommissionRuleEndForm(request.POST)
    if not CommissionRule.objects.filter(pk=pk).exists():
        raise Http404("No such commission rule.")
    if not form.is_valid():
        return _rules_page(request, end_error=(pk, _filter_error(form)), status=400)
    try:
        services.commission_rule_end(rule_id=pk, effective_to=form.cleaned_data["effective_to"],
                                     actor_user_id=request.user.pk)
    except ServiceError as exc:
        return _rules_page(request, end_error=(pk, exc.message), status=exc.status_code)
    messages.success(request, _("The rule ends on %(day)s.") % {"day": form.cleaned_data["effective_to"]})
    return redirect("ops-finance:rules")

