"""Pages of marketing."""

urlpatterns: list = []
