"""ASGI entry point: HTTP through Django, WebSocket through Channels.

In production only `/ws/` should reach this process (uvicorn workers); pages are served by WSGI
(gunicorn), which measured 6x faster for plain views on this hardware. See README "Production".
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hellopet.settings")
django_asgi_app = get_asgi_application()

if os.environ.get("ASGI_GC_TUNING", "true").lower() not in ("0", "false", "no"):
    # A long-lived chat process: what start-up loaded (Django, the URLconf, translations) is frozen out
    # of the collector's scans, and collections run less often (docs/benchmarks.md, chat: GC tuning).
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import re_path  # noqa: E402

from hellopet.routing import self_authenticating_urlpatterns, websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            URLRouter(
                [
                    *self_authenticating_urlpatterns,
                    re_path(r"", AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
                ]
            )
        ),
    }
)
