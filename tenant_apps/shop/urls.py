"""The storefront and the merchant console, on the shop's own host."""

from django.urls import include, path

from shared_apps.orders import flash_views

from . import views

app_name = "shop"
urlpatterns = [
    path("", views.storefront, name="storefront"),
    path("", include("tenant_apps.catalog.urls")),
    path("console/", views.dashboard, name="console"),
    path("console/inventory/", include("tenant_apps.inventory.urls")),
    path("console/purchasing/", include("tenant_apps.purchasing.urls")),
    path("console/freight/", include("tenant_apps.freight.urls")),
    path("console/fulfilment/", include("tenant_apps.fulfilment.urls")),
    path("console/webhooks/", include("tenant_apps.webhooks.urls")),
    path("console/flash-sales/", flash_views.console_sales, name="flash-sales"),
    path("console/coupons/", include("shared_apps.marketing.shop_urls")),
    path("console/finance/", include("shared_apps.settlement.shop_urls")),
    path("console/settings/", views.settings_page, name="settings"),
    path("console/settings/orders/", views.order_settings_page, name="order-settings"),
    path("console/staff/", views.staff_page, name="staff"),
    path("console/staff/invite/", views.staff_invite, name="staff-invite"),
    path("console/staff/<int:member_id>/role/", views.staff_role, name="staff-role"),
    path("console/staff/<int:member_id>/remove/", views.staff_remove, name="staff-remove"),
    path(
        "console/invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation-revoke",
    ),
    path("console/invitations/accept/", views.invitation_accept, name="invitation-accept"),
    path("console/bank-account/", views.bank_account, name="bank-account"),
    path("console/api-tokens/", views.api_tokens, name="api-tokens"),
    path("console/api-tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
