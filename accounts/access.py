"""Fetch verifications for a user: the owner or staff, 404 for anyone else."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import IdentityVerification, VetLicence


def get_identity_verification_for_user(user, pk) -> IdentityVerification:
    if not user.is_authenticated:
        raise Http404  # a private file's URL tells an anonymous visitor nothing, not even "log in"
    queryset = IdentityVerification.objects.all()
    if not user.is_staff:
        queryset = queryset.filter(user=user)
    return get_object_or_404(queryset, pk=pk)


def get_vet_licence_for_user(user, pk) -> VetLicence:
    if not user.is_authenticated:
        raise Http404
    queryset = VetLicence.objects.all()
    if not user.is_staff:
        queryset = queryset.filter(user=user)
    return get_object_or_404(queryset, pk=pk)
