"""Operator API, mounted at /api/v1/ops/ on the operator host (and in the OpenAPI document)."""

from django.urls import include, path

from . import api

app_name = "ops_api"
urlpatterns = [
    path("applications/", api.ApplicationListApi.as_view(), name="applications"),
    path("applications/<int:pk>/", api.ApplicationDetailApi.as_view(), name="application"),
    path(
        "applications/<int:pk>/claim/", api.ApplicationClaimApi.as_view(), name="application-claim"
    ),
    path(
        "applications/<int:pk>/approve/",
        api.ApplicationApproveApi.as_view(),
        name="application-approve",
    ),
    path(
        "applications/<int:pk>/reject/",
        api.ApplicationRejectApi.as_view(),
        name="application-reject",
    ),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/",
        api.ApplicationDocumentApi.as_view(),
        name="application-document",
    ),
    path("shops/", api.ShopListApi.as_view(), name="shops"),
    path("shops/<int:pk>/", api.ShopDetailApi.as_view(), name="shop"),
    path("shops/<int:pk>/suspend/", api.ShopSuspendApi.as_view(), name="shop-suspend"),
    path("shops/<int:pk>/reactivate/", api.ShopReactivateApi.as_view(), name="shop-reactivate"),
    path("shops/<int:pk>/close/", api.ShopCloseApi.as_view(), name="shop-close"),
    path("bank-accounts/", api.BankAccountChangeListApi.as_view(), name="bank-accounts"),
    path(
        "bank-accounts/<int:pk>/approve/",
        api.BankAccountApproveApi.as_view(),
        name="bank-account-approve",
    ),
    path(
        "bank-accounts/<int:pk>/reject/",
        api.BankAccountRejectApi.as_view(),
        name="bank-account-reject",
    ),
    path("audit-log/", api.AuditLogApi.as_view(), name="audit-log"),
    path("taxonomy/", include("shared_apps.taxonomy.api_urls")),
]
