from urllib.parse import urlsplit

from django.conf import settings


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
            from payments.midtrans import snap_origins

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


class LanguageMiddleware:
    """Bahasa Indonesia unless the person chose otherwise: a logged-in member's profile language (the
    ID/EN switch saves it there), else the language switch cookie.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many Indonesians use
    phones set to English but expect an Indonesian service; English is one click away.

    The profile is only looked at when the request carries a session cookie (a visitor without one
    costs no query); a member whose cookie disagrees with their profile gets the cookie corrected, so
    the language stays the same after they log out.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = None
        user = getattr(request, "user", None)
        if user is not None and settings.SESSION_COOKIE_NAME in request.COOKIES and user.is_authenticated:
            language = user.language if user.language in self.supported else None
        if language is None:
            language = cookie
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        if (
            cookie != language
            and user is not None
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and getattr(user, "is_authenticated", False)
            and getattr(user, "language", None) == language
            and settings.LANGUAGE_COOKIE_NAME not in response.cookies
        ):
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
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
