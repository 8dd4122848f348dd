"""Pages of freight."""

urlpatterns: list = []
