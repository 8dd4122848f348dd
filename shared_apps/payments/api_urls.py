"""API of payments (mall host, under /api/v1/payments/)."""

from django.urls import re_path

from . import api

urlpatterns = [
    re_path(r"^sandbox/statements/(?P<day>[0-9-]{1,10})/$", api.SandboxStatementApi.as_view()),
    re_path(r"^(?P<number>[A-Za-z0-9_-]{1,64})/$", api.PaymentDetailApi.as_view()),
]
