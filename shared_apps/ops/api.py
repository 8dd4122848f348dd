"""Operator console API, served on ops.MALL_DOMAIN under /api/v1/ops/.

One view per operation. Every view needs an operator role (`IsOperator`); which role may do which
action is the services' business (they raise Forbidden → 403). Errors use the one error body.
"""

from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import permissions, serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import NotFound
from backend.api.pagination import page_schema, paginated_response
from backend.lib import hosts
from backend.lib.ip import client_ip
from shared_apps.accounts import roles
from shared_apps.onboarding import services as onboarding_services
from shared_apps.onboarding.models import ApplicationStatus, ShopApplication
from shared_apps.onboarding.views import document_response
from tenants import services as shop_services
from tenants.models import ShopStatus

from . import selectors

TAGS = ["ops"]


class IsOperator(permissions.BasePermission):
    """A signed-in, active person with one of the view's `operator_roles` (any role by default)."""

    message = gettext_lazy("This needs a platform operator role.")

    def has_permission(self, request, view) -> bool:
        return roles.has_operator_role(request.user, getattr(view, "operator_roles", roles.VIEW))


class OperatorApi(APIView):
    permission_classes: ClassVar[list] = [IsOperator]
    operator_roles = roles.VIEW


# --- output serializers ------------------------------------------------------------------------


@extend_schema_serializer(component_name="OpsError")
class ErrorOut(serializers.Serializer):
    @extend_schema_serializer(component_name="OpsErrorDetail")
    class Detail(serializers.Serializer):
        code = serializers.CharField()
        message = serializers.CharField()
        fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))

    error = Detail()


def errors(*codes: int) -> dict:
    return {code: ErrorOut for code in codes}


@extend_schema_serializer(component_name="OpsPerson")
class PersonOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")


@extend_schema_serializer(component_name="OpsCategory")
class CategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(component_name="OpsDocument")
class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="business_licence | other")
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    original_name = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="Where an operator downloads the file.")

    def get_url(self, document) -> str:
        return reverse("ops_api:application-document", args=[document.application_id, document.pk])


@extend_schema_serializer(component_name="OpsApplicationTransition")
class ApplicationTransitionOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = PersonOut()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


APPLICATION_STATUSES = " | ".join(ApplicationStatus.values)
SHOP_STATUSES = " | ".join(ShopStatus.values)


@extend_schema_serializer(component_name="OpsApplicationSummary")
class ApplicationSummaryOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text=APPLICATION_STATUSES)
    shop_name = serializers.CharField()
    subdomain = serializers.CharField()
    company_name = serializers.CharField()
    applicant = PersonOut()
    reviewer = PersonOut(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


@extend_schema_serializer(component_name="OpsApplication")
class ApplicationOut(ApplicationSummaryOut):
    credit_code = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone = serializers.CharField(
        source="contact_phone_masked", help_text="Masked: 138****5678"
    )
    categories = CategoryOut(many=True)
    bank_name = serializers.CharField()
    bank_branch = serializers.CharField()
    bank_account_name = serializers.CharField()
    bank_account_number = serializers.SerializerMethodField(help_text="Masked: **** **** 5678")
    decision_reason = serializers.CharField()
    documents = DocumentOut(many=True)
    transitions = ApplicationTransitionOut(many=True)
    shop_id = serializers.IntegerField(allow_null=True)
    shop_url = serializers.SerializerMethodField(
        help_text="The live shop's storefront, once approved."
    )

    def get_bank_account_number(self, application) -> str:
        return selectors.masked_account_number(application.bank_account_last4)

    def get_shop_url(self, application) -> str | None:
        return hosts.shop_url(application.subdomain, "/") if application.shop_id else None


@extend_schema_serializer(component_name="OpsShopRef")
class ShopRefOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    subdomain = serializers.CharField()


@extend_schema_serializer(component_name="OpsShopSummary")
class ShopSummaryOut(ShopRefOut):
    company_name = serializers.CharField()
    status = serializers.CharField(help_text=SHOP_STATUSES)
    status_reason = serializers.CharField()
    owner = PersonOut()
    payouts_paused = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="The shop's storefront.")

    def get_url(self, shop) -> str:
        return hosts.shop_url(shop.subdomain, "/")


@extend_schema_serializer(component_name="OpsShopStatusChange")
class ShopStatusChangeOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = PersonOut()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


@extend_schema_serializer(component_name="OpsBankAccount")
class BankAccountOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="pending | active | rejected | superseded")
    bank_name = serializers.CharField()
    bank_branch = serializers.CharField()
    account_name = serializers.CharField()
    account_number = serializers.CharField(
        source="account_number_masked", help_text="Masked: **** **** 5678"
    )
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


@extend_schema_serializer(component_name="OpsShop")
class ShopOut(ShopSummaryOut):
    application_id = serializers.IntegerField(allow_null=True)
    bank_account = BankAccountOut(allow_null=True, help_text="The active settlement account.")
    pending_bank_account = BankAccountOut(allow_null=True, help_text="A change waiting for review.")
    history = ShopStatusChangeOut(many=True, help_text="Status changes, newest first.")


@extend_schema_serializer(component_name="OpsBankAccountChange")
class BankAccountChangeOut(BankAccountOut):
    shop = ShopRefOut()
    requested_by = PersonOut()
    current = BankAccountOut(allow_null=True, help_text="The account this change would replace.")


@extend_schema_serializer(component_name="OpsAuditEntry")
class AuditEntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    action = serializers.CharField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor_label = serializers.CharField()
    shop_id = serializers.IntegerField(allow_null=True)
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    before = serializers.JSONField(allow_null=True)
    after = serializers.JSONField(allow_null=True)
    reason = serializers.CharField()
    ip = serializers.IPAddressField(allow_null=True)


ApplicationPage = page_schema("OpsApplicationPage", ApplicationSummaryOut)
ShopPage = page_schema("OpsShopPage", ShopSummaryOut)
AuditEntryPage = page_schema("OpsAuditEntryPage", AuditEntryOut)


def application_data(application_id: int) -> dict:
    application = selectors.application_detail(application_id=application_id)
    if application is None:
        raise NotFound(_("No such application."))
    return ApplicationOut(application).data


def shop_data(shop_id: int) -> dict:
    detail = selectors.shop_detail(shop_id=shop_id)
    if detail is None:
        raise NotFound(_("No such shop."))
    shop = detail.shop
    shop.bank_account = detail.bank_account
    shop.pending_bank_account = detail.pending_bank_account
    shop.history = detail.history
    return ShopOut(shop).data


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why; kept in the history and the audit log."
    )


# --- applications ------------------------------------------------------------------------------


class ApplicationListApi(OperatorApi):
    class Input(serializers.Serializer):
        status = serializers.ChoiceField(
            choices=[s for s in ApplicationStatus.values if s != ApplicationStatus.DRAFT],
            required=False,
            help_text="Without it: the applications waiting for a decision, oldest first.",
        )

    @extend_schema(
        parameters=[Input],
        responses={200: ApplicationPage, **errors(400, 403)},
        tags=TAGS,
        summary="List shop applications (review queue)",
        operation_id="ops_applications_list",
    )
    def get(self, request):
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        queryset = selectors.application_queue(status=params.validated_data.get("status"))
        return paginated_response(self, request, queryset, ApplicationSummaryOut)


class ApplicationDetailApi(OperatorApi):
    @extend_schema(
        responses={200: ApplicationOut, **errors(403, 404)},
        tags=TAGS,
        summary="Get a shop application",
        operation_id="ops_application_retrieve",
    )
    def get(self, request, pk: int):
        return Response(application_data(pk))


class ApplicationClaimApi(OperatorApi):
    @extend_schema(
        request=None,
        responses={200: ApplicationOut, **errors(403, 404, 409)},
        tags=TAGS,
        summary="Take an application into review",
        operation_id="ops_application_claim",
    )
    def post(self, request, pk: int):
        onboarding_services.application_claim(
            application_id=pk, actor=request.user, ip=client_ip(request)
        )
        return Response(application_data(pk))


class ApplicationApproveApi(OperatorApi):
    @extend_schema(
        request=None,
        responses={200: ApplicationOut, **errors(403, 404, 409)},
        tags=TAGS,
        summary="Approve an application and open its shop",
        operation_id="ops_application_approve",
        description="Creates the shop (schema, domain, owner) in the same transaction; the "
        "answer carries `shop_id` and `shop_url`. An application already "
        "approved or rejected gives 409.",
    )
    def post(self, request, pk: int):
        application: ShopApplication = onboarding_services.application_approve(
            application_id=pk, actor=request.user, ip=client_ip(request)
        )
        return Response(application_data(application.pk))


class ApplicationRejectApi(OperatorApi):
    @extend_schema_serializer(component_name="OpsApplicationRejectInput")
    class Input(ReasonInput):
        pass

    @extend_schema(
        request=Input,
        responses={200: ApplicationOut, **errors(400, 403, 404, 409)},
        tags=TAGS,
        summary="Reject an application with a reason",
        operation_id="ops_application_reject",
        description="The applicant is e-mailed the reason and may correct and resubmit.",
    )
    def post(self, request, pk: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        onboarding_services.application_reject(
            application_id=pk,
            actor=request.user,
            reason=data.validated_data["reason"],
            ip=client_ip(request),
        )
        return Response(application_data(pk))


class IgnoreAcceptHeader(BaseContentNegotiation):
    """The file is sent as what it is; errors as JSON, whatever the client asked for."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ApplicationDocumentApi(OperatorApi):
    renderer_classes: ClassVar[list] = [JSONRenderer]
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                response=OpenApiTypes.BINARY,
                description="The stored file, sent with its checked type (image/jpeg, image/png, "
                "image/webp or application/pdf) and `Content-Disposition: inline`.",
            ),
            **errors(403, 404),
        },
        tags=TAGS,
        summary="Download a qualification document",
        operation_id="ops_application_document_download",
    )
    def get(self, request, pk: int, doc_id: int):
        document = selectors.application_document(application_id=pk, document_id=doc_id)
        if document is None:
            raise NotFound(_("No such document."))
        return document_response(document)


# --- shops -------------------------------------------------------------------------------------


class ShopListApi(OperatorApi):
    class Input(serializers.Serializer):
        status = serializers.ChoiceField(choices=ShopStatus.values, required=False)
        q = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=60,
            help_text="Part of the name, subdomain or company name.",
        )

    @extend_schema(
        parameters=[Input],
        responses={200: ShopPage, **errors(400, 403)},
        tags=TAGS,
        summary="List shops",
        operation_id="ops_shops_list",
    )
    def get(self, request):
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        queryset = selectors.shop_search(
            q=params.validated_data.get("q", ""), status=params.validated_data.get("status")
        )
        return paginated_response(self, request, queryset, ShopSummaryOut)


class ShopDetailApi(OperatorApi):
    @extend_schema(
        responses={200: ShopOut, **errors(403, 404)},
        tags=TAGS,
        summary="Get a shop",
        operation_id="ops_shop_retrieve",
    )
    def get(self, request, pk: int):
        return Response(shop_data(pk))


class ShopStatusApi(OperatorApi):
    """Base of the three lifecycle operations; each subclass names its target status."""

    to_status: str = ""

    def post(self, request, pk: int):
        data = ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        shop_services.shop_change_status(
            shop_id=pk,
            to_status=self.to_status,
            actor=request.user,
            reason=data.validated_data["reason"],
            ip=client_ip(request),
        )
        return Response(shop_data(pk))


class ShopSuspendApi(ShopStatusApi):
    to_status = ShopStatus.SUSPENDED

    @extend_schema(
        request=ReasonInput,
        responses={200: ShopOut, **errors(400, 403, 404, 409)},
        tags=TAGS,
        summary="Suspend a shop",
        operation_id="ops_shop_suspend",
        description="The storefront shows a closed page and the console becomes read-only.",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class ShopReactivateApi(ShopStatusApi):
    to_status = ShopStatus.ACTIVE

    @extend_schema(
        request=ReasonInput,
        responses={200: ShopOut, **errors(400, 403, 404, 409)},
        tags=TAGS,
        summary="Reactivate a suspended shop",
        operation_id="ops_shop_reactivate",
        description="A closed shop cannot be reactivated (409).",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class ShopCloseApi(ShopStatusApi):
    to_status = ShopStatus.CLOSED

    @extend_schema(
        request=ReasonInput,
        responses={200: ShopOut, **errors(400, 403, 404, 409)},
        tags=TAGS,
        summary="Close a shop (exit, final)",
        operation_id="ops_shop_close",
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


# --- settlement bank account changes -----------------------------------------------------------


def bank_account_change_data(account_id: int) -> dict:
    change = selectors.bank_account_change(account_id=account_id)
    if change is None:
        raise NotFound(_("No such bank account change."))
    return BankAccountChangeOut(change).data


class BankAccountChangeListApi(OperatorApi):
    @extend_schema(
        responses={200: BankAccountChangeOut(many=True), **errors(403)},
        tags=TAGS,
        summary="List bank account changes waiting for review",
        operation_id="ops_bank_account_changes_list",
        description="Oldest first; the shop's payouts are paused while its change waits.",
    )
    def get(self, request):
        return Response(BankAccountChangeOut(selectors.bank_account_changes(), many=True).data)


class BankAccountApproveApi(OperatorApi):
    @extend_schema(
        request=None,
        responses={200: BankAccountChangeOut, **errors(403, 404, 409)},
        tags=TAGS,
        summary="Approve a bank account change",
        operation_id="ops_bank_account_change_approve",
    )
    def post(self, request, pk: int):
        onboarding_services.bank_account_decide(
            account_id=pk, actor=request.user, approve=True, ip=client_ip(request)
        )
        return Response(bank_account_change_data(pk))


class BankAccountRejectApi(OperatorApi):
    @extend_schema_serializer(component_name="OpsBankAccountRejectInput")
    class Input(ReasonInput):
        pass

    @extend_schema(
        request=Input,
        responses={200: BankAccountChangeOut, **errors(400, 403, 404, 409)},
        tags=TAGS,
        summary="Reject a bank account change with a reason",
        operation_id="ops_bank_account_change_reject",
    )
    def post(self, request, pk: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        onboarding_services.bank_account_decide(
            account_id=pk,
            actor=request.user,
            approve=False,
            reason=data.validated_data["reason"],
            ip=client_ip(request),
        )
        return Response(bank_account_change_data(pk))


# --- audit log ---------------------------------------------------------------------------------


class AuditLogApi(OperatorApi):
    operator_roles = roles.AUDIT_LOG

    class Input(serializers.Serializer):
        action = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=64,
            help_text='One action ("shop.suspended") or a family ("shop").',
        )
        shop_id = serializers.IntegerField(required=False, min_value=1)
        actor_id = serializers.IntegerField(required=False, min_value=1)
        since = serializers.DateField(required=False, help_text="First day, included.")
        until = serializers.DateField(required=False, help_text="Last day, included.")

        def validate(self, attrs):
            if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
                raise serializers.ValidationError(
                    {"until": _("The end date is before the start date.")}
                )
            return attrs

    @extend_schema(
        parameters=[Input],
        responses={200: AuditEntryPage, **errors(400, 403)},
        tags=TAGS,
        summary="List audit log entries",
        operation_id="ops_audit_log_list",
        description="Newest first. Admins and auditors only.",
    )
    def get(self, request):
        params = self.Input(data=request.query_params)
        params.is_valid(raise_exception=True)
        return paginated_response(
            self, request, selectors.audit_entries(**params.validated_data), AuditEntryOut
        )
