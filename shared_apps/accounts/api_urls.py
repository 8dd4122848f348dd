from django.urls import path

from . import address_api, api

urlpatterns = [
    path("auth/register/email/", api.RegisterEmailApi.as_view()),
    path("auth/register/phone/", api.RegisterPhoneApi.as_view()),
    path("auth/sms/send/", api.SmsSendApi.as_view()),
    path("auth/login/", api.LoginApi.as_view()),
    path("auth/logout/", api.LogoutApi.as_view()),
    path("auth/token/", api.TokenApi.as_view()),
    path("auth/password/reset/", api.PasswordResetApi.as_view()),
    path("auth/password/reset/sms/", api.PasswordResetSmsApi.as_view()),
    path("auth/handoff/", api.HandoffApi.as_view()),
    path("me/", api.MeApi.as_view()),
    path("regions/", address_api.RegionListApi.as_view()),
    path("addresses/", address_api.AddressListApi.as_view()),
    path("addresses/<int:address_id>/", address_api.AddressDetailApi.as_view()),
    path("addresses/<int:address_id>/default/", address_api.AddressDefaultApi.as_view()),
]
