from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdminsiteConfig(AppConfig):
    name = "adminsite"
    verbose_name = _("Statistics")
