from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("Consultations")

    def ready(self):
        from accounts.models import VetLicence
        from common.pagecache import invalidate_on_change
        from common.private_files import delete_files_with_rows
        from payments.registry import register

        from .models import PURPOSE, Consultation, ConsultationPhoto, Message, Rating, Specialty, VetProfile
        from .payment_hooks import ConsultationPayments

        register(PURPOSE, ConsultationPayments())

        from pets.registry import register_care_access, register_timeline

        from .pet_record import timeline_entries, vet_access_reason

        register_care_access("consultations", vet_access_reason)
        register_timeline("consultations", timeline_entries)
        delete_files_with_rows(ConsultationPhoto, "image")
        delete_files_with_rows(Message, "attachment")
        delete_files_with_rows(VetProfile, "photo")
        # The public pages (/, /vets/, a vet) show these rows (a consultation turns a vet "busy").
        invalidate_on_change("vets", VetProfile, VetLicence, Specialty, Consultation, Rating)
