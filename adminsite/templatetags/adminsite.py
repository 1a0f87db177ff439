from django import template

from adminsite.queues import verification_queues as _verification_queues

register = template.Library()


@register.simple_tag
def verification_queues():
    """The pending-review counts for the admin index (one COUNT query per queue)."""
    return _verification_queues()
