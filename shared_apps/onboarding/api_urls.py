from django.urls import path

from . import api

urlpatterns = [
    path("categories/", api.CategoriesApi.as_view()),
    path("subdomains/check/", api.SubdomainCheckApi.as_view()),
    path("applications/", api.ApplicationListApi.as_view()),
    path("applications/<int:pk>/", api.ApplicationDetailApi.as_view()),
    path("applications/<int:pk>/documents/", api.DocumentUploadApi.as_view()),
    path("applications/<int:pk>/documents/<int:doc_id>/", api.DocumentApi.as_view()),
    path("applications/<int:pk>/submit/", api.SubmitApi.as_view()),
]
