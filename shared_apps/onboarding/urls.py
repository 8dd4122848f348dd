from django.urls import path

from . import views

app_name = "onboarding"
urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/step/<slug:slug>/", views.step, name="step"),
    path("<int:pk>/documents/<int:doc_id>/", views.document_file, name="document"),
    path("<int:pk>/documents/<int:doc_id>/delete/", views.document_delete, name="document-delete"),
]
