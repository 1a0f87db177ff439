from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value) -> str:
    """20.00 -> '20 %', 12.50 -> '12,5 %' (in Indonesian): as many decimals as the rate has."""
    if value is None or value == "":
        return ""
    value = Decimal(value).normalize()
    decimals = max(0, -value.as_tuple().exponent)
    return f"{number_format(value, decimal_pos=decimals)} %"
