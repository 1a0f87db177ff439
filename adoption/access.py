"""Fetch adoption objects for a user; 404 for anyone who may not see them. Views never filter ad hoc."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import Application, Pet


def get_pet_for_viewer(user, pk) -> Pet:
    """Listed pets (available, reserved, adopted) for everyone, so that shared and notification links
    keep working after a pet finds a home; any status for the lister, staff, and adopters who applied."""
    visible = Q(status__in=[Pet.Status.AVAILABLE, Pet.Status.RESERVED, Pet.Status.ADOPTED])
    if user.is_authenticated:
        if user.is_staff:
            visible = Q()
        else:
            visible |= Q(lister=user) | Q(applications__adopter=user)
    queryset = Pet.objects.filter(visible).select_related("species", "breed", "city", "lister").distinct()
    return get_object_or_404(queryset, pk=pk)


def get_pet_for_adopter(user, pk) -> Pet:
    """A pet someone may try to adopt: anything that passed review (available, reserved, adopted), so that
    a stale "Add to cart" click gets a clear "no longer available" message rather than a 404."""
    listed = [Pet.Status.AVAILABLE, Pet.Status.RESERVED, Pet.Status.ADOPTED]
    return get_object_or_404(Pet.objects.filter(status__in=listed), pk=pk)


def get_pet_for_lister(user, pk) -> Pet:
    """The lister's own pet (to edit, delete, review applications)."""
    return get_object_or_404(
        Pet.objects.select_related("species", "breed", "city"),
        pk=pk,
        lister_id=user.pk if user.is_authenticated else None,
    )


def get_pet_vaccination_book_for_user(user, pk) -> Pet:
    """The vaccination-book scan is private: the lister and staff only (not even an approved adopter)."""
    queryset = Pet.objects.all()
    if not (user.is_authenticated and user.is_staff):
        queryset = queryset.filter(lister_id=user.pk if user.is_authenticated else None)
    return get_object_or_404(queryset, pk=pk)


def get_application_for_adopter(user, pk) -> Application:
    return get_object_or_404(
        Application.objects.select_related("pet", "pet__lister", "pet__city"),
        pk=pk,
        adopter_id=user.pk if user.is_authenticated else None,
    )


def get_application_for_lister(user, pk) -> Application:
    return get_object_or_404(
        Application.objects.select_related("pet", "adopter", "adopter__city"),
        pk=pk,
        pet__lister_id=user.pk if user.is_authenticated else None,
    )
