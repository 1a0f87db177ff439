from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """A strict Content-Security-Policy: every asset is served by the app itself.

    The only outside origin allowed is Midtrans Snap (script + frame) when real keys are configured.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        snap = ""
        if not settings.PAYMENT_SIMULATOR:
            from payments.midtrans import snap_origins

            snap = " " + " ".join(snap_origins())
        self.header = (
            "default-src 'self'; "
            f"script-src 'self'{snap}; "
            f"frame-src 'self'{snap}; "
            "style-src 'self'; "
            "img-src 'self' data: blob:; "
            "connect-src 'self' ws: wss:; "
            "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
            "frame-ancestors 'none'"
        )

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.header)
        return response
