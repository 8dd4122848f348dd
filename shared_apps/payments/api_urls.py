"""API of payments."""

urlpatterns: list = []
