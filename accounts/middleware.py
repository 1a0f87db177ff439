"""Session rules and the staff second factor.

* Every session ends SESSION_ABSOLUTE_HOURS after its login, however active (members: 14 days by
  default; re-login needed after that).
* Staff sessions (they can open KTP scans) also end after STAFF_SESSION_IDLE_MINUTES without a
  request.
* With STAFF_OTP_REQUIRED (on whenever DEBUG=False), a staff member reaches /admin/ only after
  entering a TOTP code in this session (django-otp); the demo on DEBUG=True stays password-only.
"""

import time
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from .zones import viewer_zone

LOGIN_AT = "_hp_login_at"
LAST_SEEN = "_hp_last_seen"


def mark_login(sender, request, user, **kwargs):
    """user_logged_in receiver: the start of the absolute lifetime."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now


class SessionPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request, user)
            if expired:
                logout(request)
                return redirect(f"{reverse(expired)}?{urlencode({'next': request.get_full_path()})}")
            if self._needs_second_factor(request, user):
                return redirect(f"{reverse('two_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _expired(request, user) -> str | None:
        session = request.session
        now = int(time.time())
        login_at = session.get(LOGIN_AT)
        if login_at is None:
            session[LOGIN_AT] = login_at = now  # sessions from before this rule start counting now
        if now - login_at > settings.SESSION_ABSOLUTE_HOURS * 3600:
            return "admin:login" if request.path.startswith("/admin/") else "login"
        if user.is_staff:
            last = session.get(LAST_SEEN, now)
            if now - last > settings.STAFF_SESSION_IDLE_MINUTES * 60:
                return "admin:login" if request.path.startswith("/admin/") else "login"
            if now - last >= 30:  # write the session at most every 30 s, not on every request
                session[LAST_SEEN] = now
        return None

    @staticmethod
    def _needs_second_factor(request, user) -> bool:
        if not settings.STAFF_OTP_REQUIRED or not user.is_staff:
            return False
        if not request.path.startswith("/admin/"):
            return False
        if request.path in (reverse("admin:login"), reverse("admin:logout")):
            return False
        return not user.is_verified()


class TimezoneMiddleware:
    """Activates the viewer's zone (their city's WIB/WITA/WIT; visitors WIB) for the request, so that
    every time on the page is shown in it (see common.timefmt and the `local_*` template filters)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.activate(ZoneInfo(viewer_zone(request)))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
