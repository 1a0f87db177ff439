"""The site's own pages: the home page (a glimpse of each area), privacy, and the health check."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.services import PRIVACY_POLICY_VERSION
from adoption.models import Pet
from articles.selectors import published_articles
from background.health import run_all
from common.pagecache import public_page
from consultations.models import VetProfile
from grooming.selectors import home_salons


def _home_variant(request) -> str:
    """Members see the salons of their own city."""
    return f"city{request.user.city_id}"


@require_GET
@public_page("adoption", "vets", "articles", "grooming", member_variant=_home_variant)
def home(request):
    """The landing page: a glimpse of each area, from the same querysets its own pages use."""
    city = request.user.city_id if request.user.is_authenticated else None
    context = {
        "salons": home_salons(city=city),
        "vets": VetProfile.objects.directory()[:4],
        "pets": Pet.objects.filter(status=Pet.Status.AVAILABLE)
        .select_related("species", "breed", "city", "lister")
        .prefetch_related("photos")
        .order_by("-created_at")[:4],
        "articles": published_articles().order_by("-published_at")[:3],
    }
    return render(request, "home.html", context)


@require_GET
@public_page()
def privacy(request):
    return render(request, "privacy.html", {"policy_version": PRIVACY_POLICY_VERSION})


@never_cache
@require_GET
def healthz(request):
    """Liveness: 200 "ok" when the database answers. With ?full=1 (readiness, for operators): JSON with
    the database, cache/Redis, channel layer and task queue (pending, scheduled, age of the oldest
    pending task); 503 when any of them is down or the queue is stuck."""
    if request.GET.get("full") == "1":
        healthy, checks = run_all()
        return JsonResponse({"ok": healthy, "checks": checks}, status=200 if healthy else 503)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # the database not answering is exactly what this reports
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
