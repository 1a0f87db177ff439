from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from hellopet import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("", include("consultations.urls")),
    path("grooming/", include("grooming.urls")),
    path("adoption/", include("adoption.urls")),
    path("payments/", include("payments.urls")),
    path("articles/", include("articles.urls")),
    path("notifications/", include("notifications.urls")),
    path("admin/stats/", include("adminsite.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    # Public media only; private files have no URL prefix and are served by checking views.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
