"""API of webhooks."""

urlpatterns: list = []
