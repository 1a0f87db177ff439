"""The site's own error pages, made without the database.

While PostgreSQL is down (a restart, a failover) every page that touches it fails. Instead of a bare
"Server Error (500)" the visitor gets the site's own page, in their language, with 503 and
Retry-After, so browsers, crawlers and uptime checks know it is temporary. These views must not touch
the database themselves: no session, no user, no context processors; the language comes from the
language cookie alone.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def _language(request) -> str:
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) if request is not None else None
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def database_unavailable(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _page(request, template: str, status: int) -> HttpResponse:
    with translation.override(_language(request)):
        body = render_to_string(template, {"LANGUAGE_CODE": translation.get_language()})
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs):
    """handler500: the exception is still being handled here, so sys.exc_info() tells what failed."""
    if database_unavailable(sys.exc_info()[1]):
        logger.warning("database unavailable: answering 503 for %s", getattr(request, "path", "?"))
        response = _page(request, "503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _page(request, "500.html", 500)
