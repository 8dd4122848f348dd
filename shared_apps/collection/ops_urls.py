"""URL routes (wired in backend/urls_*.py)."""

app_name = "ops-collection"

urlpatterns = []
