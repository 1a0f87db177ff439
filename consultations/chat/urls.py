# The chat room page, photo upload and attachment views.
from django.urls import path

from . import views

urlpatterns = [
    path("consultations/<uuid:pk>/", views.room, name="room"),
    path("consultations/<uuid:pk>/photos/", views.photo_upload, name="chat_photo_upload"),
    path(
        "consultations/<uuid:pk>/attachments/<int:message_id>/",
        views.attachment,
        name="chat_attachment",
    ),
]
