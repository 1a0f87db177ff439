"""Fetch consultations for a user: its owner, its vet or staff; 404 for anyone else."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import Consultation


def consultations_visible_to(user):
    """Every consultation `user` takes part in (staff see them all)."""
    queryset = Consultation.objects.all()
    if not user.is_authenticated:
        return queryset.none()
    if user.is_staff:
        return queryset
    return queryset.filter(Q(owner=user) | Q(vet=user))


def open_consultations_with(owner, vet):
    """`owner`'s consultations with `vet` that are not over yet (awaiting payment, waiting, active): at
    most one, since consultation_open refuses a second."""
    if not owner.is_authenticated:
        return Consultation.objects.none()
    return Consultation.objects.filter(owner=owner, vet=vet, status__in=Consultation.OPEN_STATUSES)


def get_consultation_for_user(user, pk, *, for_update: bool = False) -> Consultation:
    """The consultation `pk` if `user` is its owner, its vet or staff; Http404 otherwise.

    `for_update=True` locks the row (call inside transaction.atomic()).
    """
    queryset = consultations_visible_to(user).select_related("owner", "vet", "pet_species", "payment")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    return get_object_or_404(queryset, pk=pk)


def consultation_participant_role(consultation: Consultation, user) -> str | None:
    """ "owner" or "vet" if `user` takes part in the consultation, else None (staff are not participants).

    Sync and query-free: it compares ids only, so consumers can call it on an already fetched row.
    """
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return None
    if consultation.owner_id == user_id:
        return "owner"
    if consultation.vet_id == user_id:
        return "vet"
    return None
