"""Middleware that imports no app."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
