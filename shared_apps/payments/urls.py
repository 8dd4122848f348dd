"""Pages of payments (mall host, under /pay/)."""

from django.urls import re_path

from . import views

app_name = "payments"
NUMBER = r"(?P<number>[A-Za-z0-9_-]{1,64})"

urlpatterns = [
    re_path(rf"^sandbox/{NUMBER}/$", views.sandbox_cashier, name="sandbox-cashier"),
    re_path(rf"^go/{NUMBER}/$", views.go, name="go"),
    re_path(rf"^return/{NUMBER}/$", views.result, name="result"),
    re_path(r"^notify/(?P<provider>[a-z]{1,12})/$", views.notify, name="notify"),
]
