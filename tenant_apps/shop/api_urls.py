"""The shop API, mounted at /api/v1/shop/ on every shop's host."""

from django.urls import include, path

from tenant_apps.inventory.api_urls import report_urlpatterns

from . import api

urlpatterns = [
    path("me/", api.MeApi.as_view()),
    path("profile/", api.ProfileApi.as_view()),
    path("order-settings/", api.OrderSettingsApi.as_view()),
    path("staff/", api.StaffListApi.as_view()),
    path("staff/<int:member_id>/", api.StaffDetailApi.as_view()),
    path("invitations/", api.InvitationListApi.as_view()),
    path("invitations/accept/", api.InvitationAcceptApi.as_view()),
    path("invitations/<int:invitation_id>/", api.InvitationDetailApi.as_view()),
    path("bank-account/", api.BankAccountApi.as_view()),
    path("bank-account/change/", api.BankAccountChangeApi.as_view()),
    path("api-tokens/", api.ApiTokenListApi.as_view()),
    path("api-tokens/<int:token_id>/", api.ApiTokenDetailApi.as_view()),
    path("catalog/", include("tenant_apps.catalog.api_urls")),
    path("inventory/", include("tenant_apps.inventory.api_urls")),
    path("freight/", include("tenant_apps.freight.api_urls")),
    path("fulfilment/", include("tenant_apps.fulfilment.api_urls")),
    path("webhooks/", include("tenant_apps.webhooks.api_urls")),
    path("coupons/", include("shared_apps.marketing.shop_api_urls")),
    path("finance/", include("shared_apps.settlement.shop_api_urls")),
    path("flash-sales/", include("shared_apps.orders.flash_shop_urls")),
    path("reports/", include(report_urlpatterns)),
    path("purchasing/", include("tenant_apps.purchasing.api_urls")),
]
