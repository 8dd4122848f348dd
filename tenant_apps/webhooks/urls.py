"""Pages of webhooks."""

urlpatterns: list = []
