from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EarningsConfig(AppConfig):
    name = "earnings"
    verbose_name = _("Partner earnings")
