"""`{% vet_pet_panel consultation as pet_panel %}`: the pet's record beside the chat, for the vet.

Used by templates/consultations/_pet_panel.html (included by the room page), so the room view needs
nothing new in its context. The rules and the audit line live in consultations/pet_record.py.
"""

from django import template

from ..pet_record import vet_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def vet_pet_panel(context, consultation):
    return vet_panel(consultation, context["request"].user)
