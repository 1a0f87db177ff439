from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = _("Adoption")

    def ready(self):
        from hellopet.private_files import delete_files_with_rows
        from payments.registry import register

        from .models import FollowUpReport, Pet, PetPhoto
        from .payments import AdoptionPayments

        register("adoption", AdoptionPayments())

        from pets.registry import register_timeline

        from .pet_record import timeline_entries

        register_timeline("adoption", timeline_entries)
        delete_files_with_rows(Pet, "vaccination_book")
        delete_files_with_rows(PetPhoto, "image")
        delete_files_with_rows(FollowUpReport, "photo")
