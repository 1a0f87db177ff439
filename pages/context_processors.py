from django.conf import settings

from common.pagecache import CSRF_PLACEHOLDER, RENDERING_FLAG
from notifications.services import cached_unread_count


def site(request):
    context = {"PAYMENT_SIMULATOR": settings.PAYMENT_SIMULATOR, "SITE_URL": settings.SITE_URL}
    if getattr(request, RENDERING_FLAG, False):
        # A page on its way into the page cache: the requester's token is put in when it is served.
        # (This processor runs after Django's built-in csrf one, so its value wins.)
        context["csrf_token"] = CSRF_PLACEHOLDER
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["unread_notifications"] = cached_unread_count(user.pk)
    return context
