"""API of freight."""

urlpatterns: list = []
