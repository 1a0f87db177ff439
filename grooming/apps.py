from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroomingConfig(AppConfig):
    name = "grooming"
    verbose_name = _("Grooming")

    def ready(self):
        from hellopet.pagecache import invalidate_on_change
        from hellopet.private_files import delete_files_with_rows
        from payments.registry import register

        from .models import Closure, Review, Salon, SalonPhoto, Service, WeeklyHours
        from .payment_hooks import GroomingPayments

        register("grooming", GroomingPayments())
        delete_files_with_rows(SalonPhoto, "image")
        # The public pages (/grooming/, a salon) show these rows: stored copies go stale on change.
        invalidate_on_change("grooming", Salon, SalonPhoto, WeeklyHours, Closure, Service, Review)
