"""Pages of the operator console, mounted at the root of ops.MALL_DOMAIN."""

from django.urls import include, path

from . import views

app_name = "ops"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/claim/", views.application_claim, name="application-claim"),
    path("applications/<int:pk>/approve/", views.application_approve, name="application-approve"),
    path("applications/<int:pk>/reject/", views.application_reject, name="application-reject"),
    path(
        "applications/<int:pk>/documents/<int:doc_id>/",
        views.application_document,
        name="application-document",
    ),
    path("shops/", views.shop_list, name="shops"),
    path("shops/<int:pk>/", views.shop_detail, name="shop"),
    path(
        "shops/<int:pk>/suspend/",
        views.shop_change_status,
        {"action": "suspend"},
        name="shop-suspend",
    ),
    path(
        "shops/<int:pk>/reactivate/",
        views.shop_change_status,
        {"action": "reactivate"},
        name="shop-reactivate",
    ),
    path("shops/<int:pk>/close/", views.shop_change_status, {"action": "close"}, name="shop-close"),
    path("bank-accounts/", views.bank_account_list, name="bank-accounts"),
    path(
        "bank-accounts/<int:pk>/approve/", views.bank_account_approve, name="bank-account-approve"
    ),
    path("bank-accounts/<int:pk>/reject/", views.bank_account_reject, name="bank-account-reject"),
    path("audit/", views.audit_log, name="audit"),
    path("taxonomy/", include("shared_apps.taxonomy.urls")),
]
