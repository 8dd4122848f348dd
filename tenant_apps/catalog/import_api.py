"""The bulk import/export API at /api/v1/shop/catalog/imports/ and …/exports/: upload a file
(multipart), poll the job, download its error report; export the catalog or stock."""

from typing import ClassVar

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from backend.api.errors import NotFound, ServiceError

from . import exports, imports
from .api import CatalogApiView
from .models import ImportJob, ImportJobStatus

TAGS = ["catalog"]
FORMAT = OpenApiParameter("file_format", str, enum=["csv", "xlsx"], description="Default csv.")


@extend_schema_serializer(component_name="CatalogImportError")
class ImportErrorOut(serializers.Serializer):
    row = serializers.IntegerField(help_text="Row number in the file; the header is row 1.")
    column = serializers.CharField()
    message = serializers.CharField()


@extend_schema_serializer(component_name="CatalogImportJob")
class ImportJobOut(serializers.Serializer):
    id = serializers.IntegerField()
    original_name = serializers.CharField()
    file_format = serializers.CharField()
    status = serializers.CharField(help_text="One of: " + ", ".join(ImportJobStatus.values) + ".")
    message = serializers.CharField(help_text="Why the whole job failed (e.g. missing columns).")
    total_rows = serializers.IntegerField()
    processed_rows = serializers.IntegerField()
    percent = serializers.IntegerField()
    created_count = serializers.IntegerField(help_text="Rows that created a SKU.")
    updated_count = serializers.IntegerField(help_text="Rows that updated an existing SKU (same code).")
    failed_count = serializers.IntegerField(help_text="Rows not written because their product had an error.")
    products_created = serializers.IntegerField()
    errors = ImportErrorOut(many=True, help_text="The first 1,000 errors.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


def _job(job_id: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        raise NotFound(_("No such import."))
    return job


def _file_format(request) -> str:
    fmt = request.query_params.get("file_format") or "csv"
    if fmt not in ("csv", "xlsx"):
        raise ServiceError(_("file_format is csv or xlsx."), fields={"file_format": [_("Use csv or xlsx.")]})
    return fmt


class ImportListApi(CatalogApiView):
    parser_classes: ClassVar[list] = [MultiPartParser, FormParser]

    @extend_schema_serializer(component_name="CatalogImportUpload")
    class Input(serializers.Serializer):
        file = serializers.FileField(help_text="CSV (UTF-8 or GB18030) or XLSX, at most 20 MB.")

    @extend_schema(tags=TAGS, summary="List recent import jobs", operation_id="catalog_imports_list",
                   responses={200: ImportJobOut(many=True)})
    def get(self, request):
        return Response(ImportJobOut(ImportJob.objects.all()[:50], many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Upload a CSV or XLSX file of products with SKUs",
        operation_id="catalog_imports_create",
        description="The file is checked (size, CSV or XLSX by content) and queued; poll the job. "
        "An existing SKU code updates that SKU; new products are drafts.",
        request={"multipart/form-data": Input},
        responses={202: ImportJobOut},
    )
    def post(self, request):
        job = imports.import_start(upload=request.FILES.get("file"), actor_user_id=request.user.pk)
        return Response(ImportJobOut(job).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Read an import job's progress and errors",
                   operation_id="catalog_imports_retrieve", responses={200: ImportJobOut})
    def get(self, request, job_id: int):
        return Response(ImportJobOut(_job(job_id)).data)


class ImportErrorsApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Download an import job's errors as CSV",
                   operation_id="catalog_imports_errors",
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request, job_id: int):
        return exports.errors_response(_job(job_id))


class CatalogExportApi(CatalogApiView):
    @extend_schema(tags=TAGS, summary="Export the catalog (products with SKUs) as CSV or XLSX",
                   operation_id="catalog_export_catalog", parameters=[FORMAT],
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
                              (200, exports.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request):
        return exports.export_response("catalog", _file_format(request))


class StockExportApi(CatalogApiView):
    section = "inventory"

    @extend_schema(tags=TAGS, summary="Export stock per SKU and location as CSV or XLSX",
                   operation_id="catalog_export_stock", parameters=[FORMAT],
                   responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
                              (200, exports.XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY)})
    def get(self, request):
        return exports.export_response("stock", _file_format(request))
