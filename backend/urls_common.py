"""URL patterns every host serves: language switch, media, API schema and docs."""

from django.urls import path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend import views

common_patterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("media/<path:path>", views.media, name="media"),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="backend.urls_api"), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

