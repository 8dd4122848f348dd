"""API of orders."""

urlpatterns: list = []
