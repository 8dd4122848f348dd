"""Account pages served on every host (the shop and operator hosts have only these)."""

from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("handoff/accept/", views.handoff_accept, name="handoff-accept"),
]
