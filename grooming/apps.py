from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroomingConfig(AppConfig):
    name = "grooming"
    verbose_name = _("Grooming")

    def ready(self):
        from hellopet.private_files import delete_files_with_rows
        from payments.registry import register

        from .models import SalonPhoto
        from .payment_hooks import GroomingPayments

        register("grooming", GroomingPayments())

        from pets.registry import register_timeline

        from .pet_record import timeline_entries

        register_timeline("grooming", timeline_entries)
        delete_files_with_rows(SalonPhoto, "image")
