from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroomingConfig(AppConfig):
    name = "grooming"
    verbose_name = _("Grooming")

    def ready(self):
        from common.pagecache import invalidate_on_change
        from common.private_files import delete_files_with_rows
        from earnings.registry import register_partner_source
        from payments.registry import register

        from .models import PURPOSE, Closure, Review, Salon, SalonPhoto, Service, WeeklyHours
        from .payment_hooks import GroomingPayments

        register(PURPOSE, GroomingPayments())
        register_partner_source(salon_partners)

        from pets.registry import register_timeline

        from .pet_record import timeline_entries

        register_timeline("grooming", timeline_entries)
        delete_files_with_rows(SalonPhoto, "image")
        # The public pages (/grooming/, a salon) show these rows: stored copies go stale on change.
        invalidate_on_change("grooming", Salon, SalonPhoto, WeeklyHours, Closure, Service, Review)


def salon_partners(user) -> list:
    """The salons whose earnings a user may see: those they manage (earnings' partner registry)."""
    from .models import Salon

    if not getattr(user, "is_salon_manager", False):
        return []
    # Only salons the user manages, also for staff (who see every salon's statement through admin).
    return [(salon, salon.name) for salon in Salon.objects.filter(managers=user).order_by("name")]
