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


class LanguageMiddleware:
    """Bahasa Indonesia unless the person chose otherwise (language switch cookie, or their profile).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many Indonesians use
    phones set to English but expect an Indonesian service; English is one click away.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        user = getattr(request, "user", None)
        if language not in self.supported and user is not None and user.is_authenticated:
            language = user.language
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class TimezoneMiddleware:
    """Activates the viewer's zone (their city's WIB/WITA/WIT; visitors WIB) for the request, so that
    every time on the page is shown in it (see hellopet.timefmt and the `local_*` template filters)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        from accounts.zones import viewer_zone

        timezone.activate(ZoneInfo(viewer_zone(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
