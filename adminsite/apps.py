from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdminsiteConfig(AppConfig):
    name = "adminsite"
    verbose_name = _("Statistics")

    def ready(self):
        from django.contrib import admin

        # The admins' workplace is HELLOPET!'s, not "Django administration".
        admin.site.site_header = _("HELLOPET! admin")
        admin.site.site_title = _("HELLOPET! admin")
        admin.site.index_title = _("Work queue and records")
