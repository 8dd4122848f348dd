"""API of marketing."""

urlpatterns: list = []
