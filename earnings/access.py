"""Fetching earnings for a user: a partner's own pages, staff anything; 404 otherwise."""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from .models import Partner
from .registry import subjects_for
from .services import partner_for


def partners_for_user(user) -> list[Partner]:
    """The partners whose earnings `user` may see as their own: themselves when they are a vet or
    have earned as a lister, and every salon they manage (through the registered sources)."""
    if not getattr(user, "is_authenticated", False):
        return []
    partners = []
    own = _own_partner(user).first()
    if own is not None:
        partners.append(own)
    elif user.is_vet or user.is_shelter:
        # A vet (or a shelter, whose listings carry adoption fees) sees their still empty earnings
        # page before the first payment.
        partners.append(partner_for(user, name=user.full_name or user.email))  # as the payment hooks name it
    for subject, name in subjects_for(user):
        partners.append(partner_for(subject, name=name))
    return partners


def earns_as_themselves(user) -> bool:
    """Whether `user` has an earnings page of their own: a vet, a shelter, or a member who has been paid
    an adoption fee (one query, for members only)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_vet or user.is_shelter or _own_partner(user).exists()


def _own_partner(user):
    """The partner row of the user themself (not of a salon they manage), if they have earned."""
    content_type = ContentType.objects.get_for_model(user)
    return Partner.objects.filter(content_type=content_type, object_id=str(user.pk))


def get_partner_for_user(user, pk: int) -> Partner:
    if getattr(user, "is_staff", False):
        partner = Partner.objects.filter(pk=pk).first()
    else:
        partner = next((p for p in partners_for_user(user) if p.pk == pk), None)
    if partner is None:
        raise Http404("No such partner")
    return partner
