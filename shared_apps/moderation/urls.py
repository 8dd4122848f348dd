from django.urls import path

from . import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.item_detail, name="item"),
    path("<int:pk>/approve/", views.item_decide, {"approve": True}, name="approve"),
    path("<int:pk>/reject/", views.item_decide, {"approve": False}, name="reject"),
]
