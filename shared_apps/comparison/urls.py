"""URL routes (wired in backend/urls_*.py)."""

app_name = "comparison"

urlpatterns = []
