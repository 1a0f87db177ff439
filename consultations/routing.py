from django.urls import path

from .consumers import ChatConsumer

websocket_urlpatterns = [
    path("ws/consultations/<uuid:consultation_id>/", ChatConsumer.as_asgi()),
]
