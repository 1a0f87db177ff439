"""Middleware that imports no app."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


class LanguageMiddleware:
    """Bahasa Indonesia unless the person chose otherwise (language switch cookie, or their profile).

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language: many Indonesians use
    phones set to English but expect an Indonesian service; English is one click away.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
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
