"""The viewer's time zone: from the province of their city (WIB/WITA/WIT); visitors and members without
a city see WIB. Kept in the session (with the city it came from) so that pages add no query; it is
worked out at login and again only when the member's city changes."""

from django.contrib.auth.signals import user_logged_in

from common.timefmt import DEFAULT_ZONE

from .models import Regency

SESSION_KEY = "viewer_tz"


def zone_for_city(city_id) -> str:
    if not city_id:
        return DEFAULT_ZONE
    zone = Regency.objects.filter(pk=city_id).values_list("province__timezone", flat=True).first()
    return zone or DEFAULT_ZONE


def viewer_zone(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return DEFAULT_ZONE
    cached = request.session.get(SESSION_KEY)
    if isinstance(cached, list) and len(cached) == 2 and cached[0] == user.city_id:
        return cached[1]
    zone = zone_for_city(user.city_id)
    request.session[SESSION_KEY] = [user.city_id, zone]
    return zone


def _remember_at_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = [user.city_id, zone_for_city(user.city_id)]


def connect():
    user_logged_in.connect(_remember_at_login, dispatch_uid="accounts.zones.remember_at_login")
