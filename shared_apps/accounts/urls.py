"""Account pages on the mall host."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import address_views, views
from .urls_host import urlpatterns as host_patterns

app_name = "accounts"
urlpatterns = host_patterns + [
    path("", views.account_home, name="home"),
    path("register/", views.register_email, name="register"),
    path("register/phone/", views.register_phone, name="register-phone"),
    path("sms/send/", views.sms_send, name="sms-send"),
    path("handoff/go/", views.handoff_go, name="handoff-go"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/done/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password_reset_complete"),
    path("password/reset/sms/", views.password_reset_sms, name="password-reset-sms"),
    path("addresses/", address_views.address_list, name="addresses"),
    path("addresses/new/", address_views.address_add, name="address-add"),
    path("addresses/<int:address_id>/", address_views.address_edit, name="address-edit"),
    path("addresses/<int:address_id>/delete/", address_views.address_delete, name="address-delete"),
    path("addresses/<int:address_id>/default/", address_views.address_make_default,
         name="address-default"),
]
