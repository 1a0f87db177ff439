"""The site's URLs plus the bench's reference: a bare Django view through the same middleware."""

from django.http import HttpResponse
from django.urls import path

from hellopet.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/bare", bare), *site_urlpatterns]
