from django import template

from adminsite.charts import format_value

register = template.Library()


@register.filter
def stat_value(value, unit):
    return format_value(value, unit)
