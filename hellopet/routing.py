"""Every WebSocket route of the project, gathered from the apps that own them."""

from consultations.routing import self_authenticating_urlpatterns as chat_routes
from consultations.routing import websocket_urlpatterns as consultation_routes
from notifications.routing import websocket_urlpatterns as notification_routes

# Routes whose consumer reads the session and the user itself (no AuthMiddleware in front of them).
self_authenticating_urlpatterns = [*chat_routes]
websocket_urlpatterns = [*consultation_routes, *notification_routes]
