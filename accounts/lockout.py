"""How a locked-out login attempt is answered (django-axes' AXES_LOCKOUT_CALLABLE).

The login form itself shows why (the form checks `request.axes_locked_out`), so the page the view
rendered is kept and only its status becomes 429 Too Many Requests.
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _


def lockout_response(request, original_response=None, credentials=None):
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    return HttpResponse(
        _("Too many failed attempts. Wait 15 minutes or reset your password."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )


def normalised_username(request, credentials) -> str:
    """Emails are case-insensitive here: BUDI@example.test and budi@example.test are one account."""
    return str((credentials or {}).get("username") or "").strip().lower()
