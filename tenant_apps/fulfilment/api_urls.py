"""API of fulfilment."""

urlpatterns: list = []
