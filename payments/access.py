"""Fetch payments for a user: the payer or staff, 404 for anyone else."""

from django.shortcuts import get_object_or_404

from .models import Payment


def get_payment_for_user(user, pk) -> Payment:
    queryset = Payment.objects.select_related("payer")
    if not user.is_staff:
        queryset = queryset.filter(payer_id=user.pk)
    return get_object_or_404(queryset, pk=pk)
