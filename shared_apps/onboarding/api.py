"""Onboarding API on the mall host: the applicant's side of an application."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.lib.ip import client_ip
from backend.lib.validators import normalize_subdomain
from shared_apps.taxonomy.selectors import business_categories

from . import services
from .models import DocumentKind, ShopApplication
from .selectors import applications_of
from .views import document_response


class CategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    original_name = serializers.CharField()
    uploaded_at = serializers.DateTimeField()


class TransitionOut(serializers.Serializer):
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class ApplicationOut(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    shop_name = serializers.CharField()
    subdomain = serializers.CharField()
    company_name = serializers.CharField()
    credit_code = serializers.CharField()
    contact_name = serializers.CharField()
    contact_phone_masked = serializers.CharField()
    category_ids = serializers.SerializerMethodField()
    bank_name = serializers.CharField()
    bank_branch = serializers.CharField()
    bank_account_name = serializers.CharField()
    bank_account_last4 = serializers.CharField()
    decision_reason = serializers.CharField()
    shop_id = serializers.IntegerField(allow_null=True)
    documents = DocumentOut(many=True, source="documents.all")
    transitions = TransitionOut(many=True, source="transitions.all")
    created_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)

    def get_category_ids(self, obj) -> list[int]:
        return [c.pk for c in obj.categories.all()]


class ApplicationIn(serializers.Serializer):
    shop_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    subdomain = serializers.CharField(max_length=30, required=False, allow_blank=True)
    company_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    credit_code = serializers.CharField(max_length=18, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    category_ids = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=50)
    bank_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bank_branch = serializers.CharField(max_length=100, required=False, allow_blank=True)
    bank_account_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    bank_account_number = serializers.CharField(max_length=40, required=False, allow_blank=True)


def _out(application_id: int, user) -> dict:
    application = get_object_or_404(applications_of(applicant=user), pk=application_id)
    return ApplicationOut(application).data


class CategoriesApi(APIView):
    @extend_schema(responses={200: CategoryOut(many=True)}, tags=["onboarding"],
                   summary="Business categories a shop can apply for")
    def get(self, request):
        return Response(CategoryOut(business_categories(), many=True).data)


class SubdomainCheckApi(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "onboarding"

    @extend_schema(parameters=[OpenApiParameter("name", str, required=True)], tags=["onboarding"],
                   summary="Is a subdomain valid and free?",
                   responses={200: inline_serializer("SubdomainCheck", {
                       "name": serializers.CharField(), "available": serializers.BooleanField(),
                       "message": serializers.CharField()})})
    def get(self, request):
        raw = request.query_params.get("name", "")
        try:
            name = normalize_subdomain(raw)
        except ValidationError as exc:
            return Response({"name": raw[:40], "available": False, "message": exc.messages[0]})
        taken = services.subdomain_taken(name)
        return Response({"name": name, "available": not taken, "message": "Already taken." if taken else ""})


class ApplicationListApi(APIView):
    @extend_schema(responses={200: ApplicationOut(many=True)}, tags=["onboarding"], summary="My applications")
    def get(self, request):
        return Response(ApplicationOut(applications_of(applicant=request.user).prefetch_related("transitions"),
                                       many=True).data)

    @extend_schema(request=ApplicationIn, responses={201: ApplicationOut}, tags=["onboarding"],
                   summary="Start an application (draft)",
                   description="Fields given are validated like PATCH; nothing is created if one is invalid.")
    def post(self, request):
        data = ApplicationIn(data=request.data)
        data.is_valid(raise_exception=True)
        from django.db import transaction

        with transaction.atomic():
            application = services.application_create(applicant=request.user)
            if data.validated_data:
                services.application_update(application_id=application.pk, actor=request.user,
                                            data=data.validated_data)
        return Response(_out(application.pk, request.user), status=status.HTTP_201_CREATED)


class ApplicationDetailApi(APIView):
    @extend_schema(responses={200: ApplicationOut}, tags=["onboarding"], summary="One of my applications")
    def get(self, request, pk: int):
        return Response(_out(pk, request.user))

    @extend_schema(request=ApplicationIn, responses={200: ApplicationOut}, tags=["onboarding"],
                   summary="Change a draft or rejected application")
    def patch(self, request, pk: int):
        get_object_or_404(ShopApplication, pk=pk, applicant=request.user)
        data = ApplicationIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.application_update(application_id=pk, actor=request.user, data=data.validated_data)
        return Response(_out(pk, request.user))


class DocumentUploadApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("DocumentIn", {
            "kind": serializers.ChoiceField(choices=DocumentKind.choices),
            "file": serializers.FileField()})},
        responses={201: DocumentOut}, tags=["onboarding"], summary="Upload a qualification document",
        description="JPEG, PNG, WebP or PDF by content, at most 5 MB.")
    def post(self, request, pk: int):
        get_object_or_404(ShopApplication, pk=pk, applicant=request.user)
        document = services.document_add(application_id=pk, actor=request.user,
                                          kind=request.data.get("kind", ""), upload=request.FILES.get("file"))
        return Response(DocumentOut(document).data, status=status.HTTP_201_CREATED)


class DocumentApi(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY}, tags=["onboarding"],
                   summary="Download one of my documents")
    def get(self, request, pk: int, doc_id: int):
        application = get_object_or_404(ShopApplication, pk=pk, applicant=request.user)
        return document_response(get_object_or_404(application.documents, pk=doc_id))

    @extend_schema(responses={204: None}, tags=["onboarding"], summary="Remove a document")
    def delete(self, request, pk: int, doc_id: int):
        get_object_or_404(ShopApplication, pk=pk, applicant=request.user)
        services.document_remove(application_id=pk, document_id=doc_id, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubmitApi(APIView):
    @extend_schema(request=None, responses={200: ApplicationOut}, tags=["onboarding"],
                   summary="Submit for review",
                   description="Refused with code `incomplete` and the missing fields when something is missing.")
    def post(self, request, pk: int):
        get_object_or_404(ShopApplication, pk=pk, applicant=request.user)
        services.application_submit(application_id=pk, actor=request.user, ip=client_ip(request))
        return Response(_out(pk, request.user))
