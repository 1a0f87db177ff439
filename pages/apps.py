from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """The site's own pages (home, privacy, health check), the CSP middleware and `seed_demo`: the one
    app that may know every other app, so that hellopet/ stays wiring only."""

    name = "pages"
    verbose_name = _("Site pages")
