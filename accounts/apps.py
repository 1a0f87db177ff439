from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and verification")

    def ready(self):
        from hellopet.private_files import delete_files_with_rows

        from .models import IdentityVerification, VetLicence

        delete_files_with_rows(IdentityVerification, "scan")
        delete_files_with_rows(VetLicence, "document")

        from . import zones

        zones.connect()
