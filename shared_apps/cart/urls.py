"""Pages of cart."""

urlpatterns: list = []
