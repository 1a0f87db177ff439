"""Live notifications: `/ws/notifications/` relays "notification.created" group events to the page.

The consumer only listens; the database is the record (the list page and the header badge read it),
so a push the channel layer drops costs nothing but a moment of staleness.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .services import user_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            # Accept, then close with the code: a close before accept reaches browsers as a bare
            # HTTP 403 (close code 1006), and live.js needs 4401 to know it must stop retrying.
            await self.accept()
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        group = getattr(self, "group", None)
        if group:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Clients have nothing to say on this socket; whatever arrives (even non-JSON) is ignored."""

    async def notification_created(self, event):
        await self.send_json(
            {
                "type": "notification",
                "id": event["id"],
                "kind": event.get("kind", ""),
                "title": event.get("title", ""),
                "url": event.get("url", ""),
                "unread": event.get("unread", 0),
            }
        )
