"""Using the cache (Redis in production) without depending on it.

The cache is an accelerator here, never the record: when Redis is down each use says what happens
instead (its policy), logs a warning, and the request goes on. Policies in use:

* login throttling: not in the cache at all (django-axes' database handler);
* chat photo-upload limit: counted from the messages table instead (the limit still holds);
* chat presence and "away" e-mails: the chat's own (consultations/chat/presence.py).
"""

import logging
import time

logger = logging.getLogger("hellopet.cache")

# One warning per use every this many seconds: an outage is one event, not one line per request.
WARN_EVERY_SECONDS = 30
_last_warned: dict[str, float] = {}


def cache_call(operation, *, what: str, policy: str, fallback=None):
    """Run `operation()` against the cache; on any cache failure log (rate-limited) and return
    `fallback()` (or None)."""
    try:
        return operation()
    except Exception as exc:  # redis.ConnectionError, TimeoutError, ...: the backend's own errors vary
        now = time.monotonic()
        if now - _last_warned.get(what, 0.0) >= WARN_EVERY_SECONDS:
            _last_warned[what] = now
            logger.warning("cache unavailable for %s (%s: %s); %s", what, type(exc).__name__, exc, policy)
        return fallback() if fallback is not None else None
