"""API of cart."""

urlpatterns: list = []
