"""Pages of fulfilment."""

urlpatterns: list = []
