# Owned by the chat helper: the room page, photo upload and attachment views.
from django.urls import path

from . import views_chat

urlpatterns = [
    path("consultations/<uuid:pk>/", views_chat.room, name="room"),
    path("consultations/<uuid:pk>/photos/", views_chat.photo_upload, name="chat_photo_upload"),
    path(
        "consultations/<uuid:pk>/attachments/<int:message_id>/",
        views_chat.attachment,
        name="chat_attachment",
    ),
]
