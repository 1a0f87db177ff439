"""Fetch a pet for a user: the owner, or someone the feature apps vouch for; 404 for anyone else.

Staff use the Django admin; on the site the record is the owner's only (medical privacy).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Pet
from .registry import care_access_reason


def pets_for_owner(user):
    return Pet.objects.owned_by(user)


def get_pet_for_owner(user, pk, *, editable: bool = False) -> Pet:
    """The owner's pet `pk` (404 otherwise). `editable=True` also refuses the read-only copies a
    previous owner keeps after a handover."""
    queryset = pets_for_owner(user).select_related("species", "breed")
    if editable:
        queryset = queryset.active()
    return get_object_or_404(queryset, pk=pk)


def get_pet_for_viewer(user, pk) -> tuple[Pet, str | None]:
    """(pet, reason) for the owner (reason None) or for someone a feature app lets look now (a vet in
    a consultation about this pet); Http404 for everyone else."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    pet = get_object_or_404(Pet.objects.select_related("species", "breed"), pk=pk)
    if pet.owner_id == user.pk:
        return pet, None
    reason = care_access_reason(user, pet)
    if not reason:
        raise Http404
    return pet, reason
