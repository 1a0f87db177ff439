from django.conf import settings


def site(request):
    context = {"PAYMENT_SIMULATOR": settings.PAYMENT_SIMULATOR, "SITE_URL": settings.SITE_URL}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = user.notifications.filter(read_at__isnull=True).count()
    return context
