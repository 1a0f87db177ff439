from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """The landing page: a glimpse of each area, from the same querysets its own pages use."""
    from adoption.models import Pet
    from articles.selectors import published_articles
    from consultations.models import VetProfile
    from grooming.selectors import home_salons

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
def privacy(request):
    from accounts.services import PRIVACY_POLICY_VERSION

    return render(request, "privacy.html", {"policy_version": PRIVACY_POLICY_VERSION})


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # the database not answering is exactly what this reports
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
