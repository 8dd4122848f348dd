"""The reports API at /api/v1/shop/reports/ on the shop's host (I5): purchases (per SKU or per
supplier), sales, stock summary, inventory valuation, gross margin and the daily flow.

Every report answers one page of rows with the period it covers and the totals over all rows:
`{date_from, date_to, location_id, totals, count, next, previous, results}` (valuation: `as_of`
instead of the dates, and `by_location`). Dates are days in Asia/Shanghai, YYYY-MM-DD, both or
neither (neither: this month); a bad date, a period longer than 366 days or an unknown location
is a 400 naming the field. Money is a string with two decimals; an unknown figure is null.

The stock summary needs the inventory section (warehouse staff count stock); the reports with
money in them need the reports section.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.response import Response

from backend.api.pagination import Pagination
from tenant_apps.shop.api import ShopApiView

from . import reports
from .models import MovementKind

TAGS = ["reports"]
DATES = "Days in Asia/Shanghai, YYYY-MM-DD; give both or neither (this month up to today); at most 366 days."
PERIOD_PARAMETERS = [
    OpenApiParameter(
        "date_from", OpenApiTypes.DATE, description="First day of the period. " + DATES
    ),
    OpenApiParameter(
        "date_to", OpenApiTypes.DATE, description="Last day of the period (included). " + DATES
    ),
]
PAGE_PARAMETERS = [
    OpenApiParameter(
        "location", OpenApiTypes.INT, description="Only this location (an id); all when absent."
    ),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter(
        "page_size", OpenApiTypes.INT, description="Rows per page, at most 100 (default 20)."
    ),
]


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


def _report_schema(name: str, row, totals, head: dict) -> serializers.Serializer:
    return inline_serializer(
        name=name,
        fields={
            **head,
            "totals": totals(help_text="The same figures over every row, not only this page."),
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": row(many=True),
        },
    )


def _period_head() -> dict:
    return {
        "date_from": serializers.DateField(),
        "date_to": serializers.DateField(),
        "location_id": serializers.IntegerField(allow_null=True),
    }


class ReportApiView(ShopApiView):
    section = "reports"

    def report(self, report: reports.Report, row, totals, head: dict) -> Response:
        paginator = Pagination()
        rows = paginator.paginate_queryset(report.rows, self.request, view=self)
        page = paginator.get_paginated_response(
            row(report.decorate(list(rows)), many=True).data
        ).data
        return Response({**head, "totals": totals(report.totals).data, **page})

    def period_report(self, build, row, totals) -> Response:
        params = self.request.query_params
        location = reports.location_from(params)
        period = reports.period_from(params)
        head = {
            "date_from": period.date_from,
            "date_to": period.date_to,
            "location_id": location.pk if location else None,
        }
        return self.report(build(period=period, location=location), row, totals, head)


class SkuColumns(serializers.Serializer):
    sku_id = serializers.IntegerField()
    sku_code = serializers.CharField()
    title = serializers.CharField(help_text="The product's title.")


# --- purchases ---------------------------------------------------------------------------------


@extend_schema_serializer(component_name="ReportPurchaseTotals")
class PurchaseFigures(serializers.Serializer):
    received_quantity = serializers.IntegerField(help_text="Units received (purchase receipts).")
    received_amount = _money(help_text="Received units × the receipt's unit cost.")
    returned_quantity = serializers.IntegerField(
        help_text="Units returned to suppliers (purchase returns)."
    )
    returned_amount = _money()
    net_quantity = serializers.IntegerField(help_text="Received less returned.")
    net_amount = _money()


@extend_schema_serializer(component_name="ReportPurchaseRow")
class PurchaseRow(SkuColumns, PurchaseFigures):
    pass


@extend_schema_serializer(component_name="ReportPurchaseSupplierRow")
class PurchaseSupplierRow(PurchaseFigures):
    supplier_id = serializers.IntegerField(
        allow_null=True, help_text="Null: receipts without a purchase order."
    )
    supplier_code = serializers.CharField(allow_null=True)
    supplier_name = serializers.CharField(allow_null=True)


class PurchasesApi(ReportApiView):
    @extend_schema(
        tags=TAGS,
        summary="Purchases per SKU for a period",
        operation_id="reports_purchases",
        parameters=PERIOD_PARAMETERS + PAGE_PARAMETERS,
        responses={
            200: _report_schema("ReportPurchases", PurchaseRow, PurchaseFigures, _period_head())
        },
    )
    def get(self, request):
        return self.period_report(reports.purchases, PurchaseRow, PurchaseFigures)


class PurchasesBySupplierApi(ReportApiView):
    @extend_schema(
        tags=TAGS,
        summary="Purchases per supplier for a period",
        operation_id="reports_purchases_by_supplier",
        parameters=PERIOD_PARAMETERS + PAGE_PARAMETERS,
        responses={
            200: _report_schema(
                "ReportPurchasesBySupplier", PurchaseSupplierRow, PurchaseFigures, _period_head()
            )
        },
    )
    def get(self, request):
        return self.period_report(
            reports.purchases_by_supplier, PurchaseSupplierRow, PurchaseFigures
        )


# --- sales and margin --------------------------------------------------------------------------


@extend_schema_serializer(component_name="ReportSalesTotals")
class SalesFigures(serializers.Serializer):
    sold_quantity = serializers.IntegerField()
    returned_quantity = serializers.IntegerField(
        help_text="Units returned by buyers (sale returns)."
    )
    net_quantity = serializers.IntegerField(help_text="Sold less returned.")
    revenue = _money(
        allow_null=True, help_text="Of the sales with a known price; null when none had one."
    )
    unpriced_quantity = serializers.IntegerField(
        help_text="Net units sold without a known price (revenue unknown)."
    )
    cost = _money(help_text="Cost of goods sold at the moving-average cost each sale recorded.")
    uncosted_quantity = serializers.IntegerField(
        help_text="Units with no known cost, counted at zero cost."
    )


@extend_schema_serializer(component_name="ReportSalesRow")
class SalesRow(SkuColumns, SalesFigures):
    pass


class SalesApi(ReportApiView):
    @extend_schema(
        tags=TAGS,
        summary="Sales per SKU for a period",
        operation_id="reports_sales",
        parameters=PERIOD_PARAMETERS + PAGE_PARAMETERS,
        responses={200: _report_schema("ReportSales", SalesRow, SalesFigures, _period_head())},
    )
    def get(self, request):
        return self.period_report(reports.sales, SalesRow, SalesFigures)


@extend_schema_serializer(component_name="ReportMarginTotals")
class MarginFigures(serializers.Serializer):
    net_quantity = serializers.IntegerField(help_text="Net units sold with a known price.")
    revenue = _money()
    cost = _money(help_text="Cost of goods sold of those units.")
    margin = _money(help_text="Revenue − cost.")
    margin_percent = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="Margin as a percentage of revenue; null when revenue is 0.",
    )
    uncosted_quantity = serializers.IntegerField(
        help_text="Units with no known cost, counted at zero cost."
    )


@extend_schema_serializer(component_name="ReportMarginRow")
class MarginRow(SkuColumns, MarginFigures):
    pass


class MarginApi(ReportApiView):
    @extend_schema(
        tags=TAGS,
        summary="Gross margin per SKU for a period",
        operation_id="reports_margin",
        description="Only sales that carry a sale price are counted.",
        parameters=PERIOD_PARAMETERS + PAGE_PARAMETERS,
        responses={200: _report_schema("ReportMargin", MarginRow, MarginFigures, _period_head())},
    )
    def get(self, request):
        return self.period_report(reports.margin, MarginRow, MarginFigures)


# --- stock -------------------------------------------------------------------------------------


def _kind(kind: str) -> serializers.IntegerField:
    return serializers.IntegerField(help_text=f"Net units of {kind} movements in the period.")


@extend_schema_serializer(component_name="ReportStockTotals")
class StockFigures(serializers.Serializer):
    opening = serializers.IntegerField(help_text="Units on hand before the first day.")
    in_quantity = serializers.IntegerField(
        help_text="Units in during the period (over all locations, not transfers)."
    )
    out_quantity = serializers.IntegerField(
        help_text="Units out during the period (over all locations, not transfers)."
    )
    closing = serializers.IntegerField(help_text="opening + in − out.")
    purchase_receipt = _kind(MovementKind.PURCHASE_RECEIPT)
    purchase_return = _kind(MovementKind.PURCHASE_RETURN)
    sale = _kind(MovementKind.SALE)
    sale_return = _kind(MovementKind.SALE_RETURN)
    transfer_out = _kind(MovementKind.TRANSFER_OUT)
    transfer_in = _kind(MovementKind.TRANSFER_IN)
    adjustment = _kind(MovementKind.ADJUSTMENT)
    stocktake_variance = _kind(MovementKind.STOCKTAKE_VARIANCE)


@extend_schema_serializer(component_name="ReportStockRow")
class StockRow(SkuColumns, StockFigures):
    pass


class StockSummaryApi(ReportApiView):
    section = "inventory"

    @extend_schema(
        tags=TAGS,
        summary="Stock summary per SKU for a period: opening, in, out, closing",
        operation_id="reports_stock_summary",
        parameters=PERIOD_PARAMETERS + PAGE_PARAMETERS,
        description="With a location, transfers to and from it count as in and out; over all "
        "locations they are neither. Needs the inventory section.",
        responses={
            200: _report_schema("ReportStockSummary", StockRow, StockFigures, _period_head())
        },
    )
    def get(self, request):
        return self.period_report(reports.stock_summary, StockRow, StockFigures)


@extend_schema_serializer(component_name="ReportValuationTotals")
class ValuationTotals(serializers.Serializer):
    on_hand = serializers.IntegerField()
    value = _money(help_text="Of the SKUs with a known cost.")
    uncosted_skus = serializers.IntegerField(
        help_text="SKUs in stock with no cost: value unknown, not in the total."
    )


@extend_schema_serializer(component_name="ReportValuationLocation")
class ValuationLocation(ValuationTotals):
    location_id = serializers.IntegerField()
    location_code = serializers.CharField()
    location_name = serializers.CharField()


@extend_schema_serializer(component_name="ReportValuationRow")
class ValuationRow(SkuColumns):
    on_hand = serializers.IntegerField()
    average_cost = _money(
        allow_null=True, help_text="Moving-average cost as of the day; null when unknown."
    )
    value = _money(allow_null=True)


class ValuationApi(ReportApiView):
    @extend_schema(
        tags=TAGS,
        summary="Inventory valuation per SKU at the end of a day",
        operation_id="reports_valuation",
        description="Units on hand × moving-average cost: today the SKU's current cost, for a past day the cost "
        "after the last receipt up to that day.",
        parameters=[
            OpenApiParameter(
                "as_of", OpenApiTypes.DATE, description="The day (Asia/Shanghai), default today."
            ),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: _report_schema(
                "ReportValuation",
                ValuationRow,
                ValuationTotals,
                {
                    "as_of": serializers.DateField(),
                    "location_id": serializers.IntegerField(allow_null=True),
                    "by_location": ValuationLocation(many=True),
                },
            )
        },
    )
    def get(self, request):
        location = reports.location_from(request.query_params)
        as_of = reports.as_of_from(request.query_params)
        report = reports.valuation(as_of=as_of, location=location)
        head = {
            "as_of": as_of,
            "location_id": location.pk if location else None,
            "by_location": ValuationLocation(report.by_location, many=True).data,
        }
        return self.report(report, ValuationRow, ValuationTotals, head)


@extend_schema_serializer(component_name="ReportDay")
class DayOut(serializers.Serializer):
    day = serializers.DateField()
    in_quantity = serializers.IntegerField(help_text="Units in, transfers not counted.")
    out_quantity = serializers.IntegerField(help_text="Units out, transfers not counted.")
    revenue = _money(
        allow_null=True, help_text="Of the sales with a known price; null when none had one."
    )


class DailyApi(ReportApiView):
    @extend_schema(
        tags=TAGS,
        summary="Units in and out and revenue per day (the dashboard chart)",
        operation_id="reports_daily",
        parameters=PERIOD_PARAMETERS,
        responses={200: DayOut(many=True)},
    )
    def get(self, request):
        period = reports.period_from(request.query_params)
        days = (period.date_to - period.date_from).days + 1
        return Response(DayOut(reports.daily_flow(days=days, last=period.date_to), many=True).data)
