"""The shop's settlement in the merchant console (shop host, /console/finance/): the balance,
statements (对账单) with their lines and downloads, and payouts (打款).

Money pages: every page needs the "finance" section (owner and manager). The shop is the
host's: every read goes through `interface` with this shop's id, so another shop's statement id
is 404 like one that does not exist. Nothing here writes; a suspended shop still reads its
statements.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.views.decorators.http import require_safe

from tenant_apps.shop.access import console_page
from tenant_apps.shop.views import _console

from . import interface, statement_files
from .models import EntryKind, PayoutChannel, PayoutStatus

SECTION = "finance"
PER_PAGE = 30
LINES_PER_PAGE = 50
RECENT = 5


def _page(request, template: str, context: dict):
    return _console(request, f"settlement/console/{template}", SECTION, context)


def _paged(rows, request, per_page: int):
    """A page of `rows`; a page number that is not one (or past the end) gives the nearest page."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _totals(statement: interface.StatementRow) -> list[dict]:
    return [{"key": key, "label": label, "amount": getattr(statement, key)}
            for key, label in statement_files.TOTAL_LABELS.items()]


def _labelled(payouts) -> list[dict]:
    return [{"row": p, "status_label": PayoutStatus(p.status).label, "channel_label": PayoutChannel(p.channel).label}
            for p in payouts]


@require_safe
@console_page(SECTION)
def overview(request):
    shop_id = request.tenant.pk
    return _page(request, "overview.html", {
        "balance": interface.shop_balance(shop_id=shop_id),
        "statements": interface.shop_statements(shop_id=shop_id)[:RECENT],
        "payouts": _labelled(interface.shop_payouts(shop_id=shop_id)[:RECENT]),
        "payouts_paused": request.tenant.payouts_paused,
    })


@require_safe
@console_page(SECTION)
def statement_list(request):
    return _page(request, "statements.html", {
        "page": _paged(interface.shop_statements(shop_id=request.tenant.pk), request, PER_PAGE)})


def _statement(request, statement_id: int) -> interface.StatementDetail:
    detail = interface.shop_statement(shop_id=request.tenant.pk, statement_id=statement_id)
    if detail is None:
        raise Http404("No such statement.")
    return detail


@require_safe
@console_page(SECTION)
def statement_detail(request, statement_id: int):
    detail = _statement(request, statement_id)
    lines = interface.shop_statement_lines(shop_id=request.tenant.pk, statement_id=statement_id)
    return _page(request, "statement.html", {
        "statement": detail.statement,
        "totals": _totals(detail.statement),
        "net_label": statement_files.NET_LABEL,
        "entries": [{"row": e, "kind_label": EntryKind(e.kind).label} for e in detail.entries],
        "payout": _labelled([detail.payout])[0] if detail.payout else None,
        "page": _paged(lines, request, LINES_PER_PAGE),
    })


def _download(request, statement_id: int, fmt: str):
    detail = _statement(request, statement_id)
    lines = interface.shop_statement_lines(shop_id=request.tenant.pk, statement_id=statement_id)
    return statement_files.download(detail, lines, fmt=fmt, shop_name=request.tenant.name)


@require_safe
@console_page(SECTION)
def statement_csv(request, statement_id: int):
    return _download(request, statement_id, "csv")


@require_safe
@console_page(SECTION)
def statement_xlsx(request, statement_id: int):
    return _download(request, statement_id, "xlsx")


@require_safe
@console_page(SECTION)
def payout_list(request):
    page = _paged(interface.shop_payouts(shop_id=request.tenant.pk), request, PER_PAGE)
    return _page(request, "payouts.html", {"page": page, "payouts": _labelled(page)})
