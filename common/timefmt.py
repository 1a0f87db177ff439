"""How times are shown: in the viewer's zone (or a place's, for appointments) with the zone's name, in
one format per language: Indonesian "13.20 WITA", English "1:20 pm WITA".

Shared helper: imports no app. The viewer's zone is activated per request by
`accounts.middleware.TimezoneMiddleware`; visitors see WIB.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone, translation

DEFAULT_ZONE = "Asia/Jakarta"
# Indonesia's three zones by their IANA names (Pontianak is WIB too).
ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}


def zone_label(tz) -> str:
    key = getattr(tz, "key", None) or str(tz)
    return ZONE_LABELS.get(key, key)


def as_zone(zone) -> dt.tzinfo:
    """A tzinfo from a tzinfo, an IANA name, or None (the active zone)."""
    if zone is None or zone == "":
        return timezone.get_current_timezone()
    if isinstance(zone, str):
        return ZoneInfo(zone)
    return zone


def _english() -> bool:
    return (translation.get_language() or "id").startswith("en")


def clock(value) -> str:
    """A wall-clock time without its zone: "13.20" (id) or "1:20 pm" (en)."""
    if _english():
        hour = value.hour % 12 or 12
        return f"{hour}:{value.minute:02d} {'am' if value.hour < 12 else 'pm'}"
    return f"{value.hour:02d}.{value.minute:02d}"


def in_zone(value: dt.datetime, zone=None) -> dt.datetime:
    tz = as_zone(zone)
    return value.astimezone(tz) if timezone.is_aware(value) else value.replace(tzinfo=tz)


def format_time(value: dt.datetime, zone=None, *, label: bool = True) -> str:
    local = in_zone(value, zone)
    return f"{clock(local)} {zone_label(local.tzinfo)}" if label else clock(local)


def format_date(value: dt.date) -> str:
    """ "3 Des 2026" / "3 Dec 2026": the same in both languages but for the month's name."""
    return dateformat.format(value, "j M Y")


def format_datetime(value: dt.datetime, zone=None) -> str:
    """ "3 Des 2026 13.20 WITA" / "3 Dec 2026, 1:20 pm WITA"."""
    local = in_zone(value, zone)
    day = format_date(local)
    separator = ", " if _english() else " "
    return f"{day}{separator}{clock(local)} {zone_label(local.tzinfo)}"
