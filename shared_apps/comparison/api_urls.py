"""URL routes (wired in backend/urls_*.py)."""



urlpatterns = []
