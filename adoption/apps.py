from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = _("Adoption")

    def ready(self):
        from common.pagecache import invalidate_on_change
        from common.private_files import delete_files_with_rows
        from payments.registry import register

        from .models import (
            PURPOSE,
            Application,
            ApplicationEvent,
            Breed,
            FollowUpReport,
            Pet,
            PetPhoto,
            Species,
        )
        from .payment_hooks import AdoptionPayments

        register(PURPOSE, AdoptionPayments())

        from pets.registry import register_timeline

        from .pet_record import timeline_entries

        register_timeline("adoption", timeline_entries)
        delete_files_with_rows(Pet, "vaccination_book")
        delete_files_with_rows(PetPhoto, "image")
        delete_files_with_rows(FollowUpReport, "photo")
        # The public pages (/, /adoption/, a pet) show these rows: stored copies go stale on change.
        invalidate_on_change("adoption", Pet, PetPhoto, Species, Breed)
        # Each member's stored "my applications" page (per member, docs/architecture.md "page cache").
        invalidate_on_change("adoption-applications", Application, ApplicationEvent, FollowUpReport)
