"""Template helpers available in every template (registered as builtins in settings)."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


def format_rupiah(amount) -> str:
    """Whole rupiah with Indonesian thousands dots: 150000 -> 'Rp 150.000'."""
    if amount is None or amount == "":
        return ""
    value = int(amount)
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {abs(value):,}".replace(",", ".")


@register.filter
def rupiah(amount) -> str:
    return format_rupiah(amount)


@register.filter
def local_datetime(value, fmt="DATETIME_FORMAT"):
    """A stored UTC datetime in the active time zone, in the active language's format."""
    if not value:
        return ""
    return date_format(timezone.localtime(value), fmt)


@register.filter
def local_date(value):
    if not value:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        value = timezone.localtime(value)
    return date_format(value, "DATE_FORMAT")


@register.simple_tag(takes_context=True)
def querystring_replace(context, **kwargs):
    """The current query string with some parameters replaced (pagination links keep filters)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()
