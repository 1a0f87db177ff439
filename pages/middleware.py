"""Site-wide middleware that needs to know an app (the Content-Security-Policy names Midtrans Snap's
origins when real keys are set). Middleware that imports no app lives in common/middleware.py."""

from urllib.parse import urlsplit

from django.conf import settings

from payments.midtrans import snap_origins


def websocket_origin() -> str:
    """The chat's WebSocket origin: this site's own host, ws:// or wss:// after SITE_URL's scheme."""
    parts = urlsplit(settings.SITE_URL)
    return f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy: every asset is served by the app itself.

    The only outside origin allowed is Midtrans Snap (script + frame) when real keys are configured.
    WebSockets may connect to this site only ('self' plus its ws/wss origin, which older browsers
    do not count as 'self'), never to any host. /admin/ gets its own policy without Snap. Responses
    that set their own policy keep it (private files: `sandbox`).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        snap = ""
        if not settings.PAYMENT_SIMULATOR:
            snap = " " + " ".join(snap_origins())
        common = (
            "style-src 'self'; img-src 'self' data: blob:; font-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        )
        self.header = (
            f"default-src 'self'; script-src 'self'{snap}; frame-src 'self'{snap}; "
            f"connect-src 'self' {websocket_origin()}; {common}"
        )
        self.admin_header = (
            f"default-src 'self'; script-src 'self'; connect-src 'self'; frame-src 'self'; {common}"
        )

    def __call__(self, request):
        response = self.get_response(request)
        header = self.admin_header if request.path.startswith("/admin/") else self.header
        response.headers.setdefault("Content-Security-Policy", header)
        return response
