from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and verification")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from common.private_files import delete_files_with_rows

        from .middleware import mark_login
        from .models import IdentityVerification, VetLicence

        user_logged_in.connect(mark_login, dispatch_uid="accounts-session-login-at")
        delete_files_with_rows(IdentityVerification, "scan")
        delete_files_with_rows(VetLicence, "document")

        from . import backends, zones

        zones.connect()
        backends.connect()
