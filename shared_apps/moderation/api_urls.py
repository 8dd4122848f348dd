from django.urls import path

from . import api

urlpatterns = [
    path("", api.QueueApi.as_view()),
    path("<int:pk>/", api.ItemApi.as_view()),
    path("<int:pk>/approve/", api.ApproveApi.as_view()),
    path("<int:pk>/reject/", api.RejectApi.as_view()),
]
