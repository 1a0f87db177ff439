from channels.sessions import SessionMiddlewareStack
from django.urls import path

from .chat.consumer import ChatConsumer

# The chat socket resolves its user itself, in the same thread hop as its other connect-time reads
# (session, user, consultation, read markers: one hop on Channels' database thread per connect instead
# of two), so hellopet/asgi.py routes it with sessions but without Channels' AuthMiddleware.
self_authenticating_urlpatterns = [
    path("ws/consultations/<uuid:consultation_id>/", SessionMiddlewareStack(ChatConsumer.as_asgi())),
]
websocket_urlpatterns: list = []
