from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PetsConfig(AppConfig):
    name = "pets"
    verbose_name = _("Pets")

    def ready(self):
        from common.private_files import delete_files_with_rows

        from .models import Pet, Vaccination

        delete_files_with_rows(Pet, "photo")
        delete_files_with_rows(Vaccination, "proof")
