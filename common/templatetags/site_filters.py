"""Template helpers available in every template (registered as builtins in settings)."""

import datetime

import phonenumbers
from django import template
from django.utils import timezone
from django.utils.html import format_html

from common import timefmt
from common.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(amount) -> str:
    return format_rupiah(amount)


@register.filter
def local_datetime(value, zone=None):
    """A stored UTC datetime with its zone label, in the viewer's zone (or `zone`, a place's tzinfo or
    IANA name, for appointments at that place), one format per language (common.timefmt)."""
    if not value:
        return ""
    return timefmt.format_datetime(value, zone)


@register.filter
def local_time(value, zone=None):
    """Only the time, with its zone label: "13.20 WITA" / "1:20 pm WITA"."""
    if not value:
        return ""
    return timefmt.format_time(value, zone)


@register.filter
def clock(value, zone=None):
    """The time without a label, where the zone is already named nearby (slot lists, opening hours).
    A plain `time` is shown as it is; a datetime in the viewer's zone or `zone`."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime):
        value = timefmt.in_zone(value, zone)
    return timefmt.clock(value)


@register.filter
def phone(number):
    """A phone number grouped for reading: "+62 812-2000-1111" (stored as "+6281220001111"). A number
    phonenumbers does not know as valid is shown as it was typed."""
    if not number:
        return ""
    try:
        parsed = phonenumbers.parse(str(number), "ID")
    except phonenumbers.NumberParseException:
        return str(number)
    if not phonenumbers.is_valid_number(parsed):
        return str(number)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@register.filter
def phone_link(number):
    """A phone number as a tap-to-call link (tel: with the digits and the leading +), shown grouped."""
    if not number:
        return ""
    dial = ("+" if str(number).strip().startswith("+") else "") + "".join(
        ch for ch in str(number) if ch.isdigit()
    )
    return format_html('<a href="tel:{}" class="tel-link">{}</a>', dial, phone(number))


@register.filter
def local_date(value):
    """A date (or a datetime's day in the viewer's zone) as the date part of `local_datetime` writes it:
    "3 Jan 2027" — not Django's English "Jan. 3, 2027" beside "5 Dec 2026, 10:00 am WIB"."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return timefmt.format_date(value)
