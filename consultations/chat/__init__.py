"""The consultation chat: the WebSocket consumer and what it stands on.

- consumer.py: the socket (thin: frames in, frames out; protocol in docs/chat-protocol.md)
- services.py: messages, history pages, read receipts, protocol events, broadcasting, away notices
- presence.py: who is in a room (cache counts over every process), vets' last-seen stamps
- store.py: batched, numbered message writes (one statement per batch on PostgreSQL)
- live.py: the per-process writer, rooms and heartbeat
- views.py / urls.py: the room page, photo upload, attachments
"""
