from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views

urlpatterns = [
    path("", include("pages.urls")),
    # The ID/EN switch: Django's, plus a member's choice saved to their profile.
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("", include("consultations.urls")),
    path("grooming/", include("grooming.urls")),
    path("adoption/", include("adoption.urls")),
    path("payments/", include("payments.urls")),
    path("", include("earnings.urls")),
    path("articles/", include("articles.urls")),
    path("pets/", include("pets.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/stats/", include("adminsite.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG or settings.TESTING:
    from django.urls import re_path
    from django.views.static import serve

    # Public media for the dev server and browser tests; in production the web server serves MEDIA_ROOT.
    # Only public media: private files have no URL and are served by views that check access.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

# The site's own error page; 503 + Retry-After while the database is unreachable (common/errors.py).
handler500 = "common.errors.server_error"
