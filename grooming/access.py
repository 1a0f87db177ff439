"""Fetch grooming objects for a user; 404 for anyone who may not see them. Views never filter ad hoc."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Booking, Review, Salon
from .services import bookings_visible_to, salons_managed_by


def get_salon_for_user(user, slug) -> Salon:
    """A listed salon for everyone; an unlisted one only for its managers and staff."""
    queryset = Salon.objects.select_related("city__province")
    salon = get_object_or_404(queryset, slug=slug)
    if not salon.is_active and not salons_managed_by(user).filter(pk=salon.pk).exists():
        raise Http404
    return salon


def get_managed_salon_for_user(user, slug) -> Salon:
    """A salon the user manages (staff: any salon)."""
    return get_object_or_404(salons_managed_by(user).select_related("city__province"), slug=slug)


def get_booking_for_user(user, pk) -> Booking:
    """The member who booked, the salon's managers, staff."""
    queryset = Booking.objects.all() if user.is_staff else bookings_visible_to(user)
    return get_object_or_404(
        queryset.select_related("salon__city__province", "service", "member", "payment", "home_city"), pk=pk
    )


def get_review_for_manager(user, pk) -> Review:
    return get_object_or_404(
        Review.objects.filter(salon__in=salons_managed_by(user)).select_related("salon"), pk=pk
    )
