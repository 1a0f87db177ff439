"""Every WebSocket route of the project, gathered from the apps that own them."""

from consultations.routing import websocket_urlpatterns as consultation_routes
from notifications.routing import websocket_urlpatterns as notification_routes

websocket_urlpatterns = [*consultation_routes, *notification_routes]
