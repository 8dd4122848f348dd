"""Pages of payments."""

urlpatterns: list = []
