"""The site's URLs plus one staff page, to test staff_required's two-factor check."""

from django.http import HttpResponse
from django.urls import path

from cmeconf.providers.access import staff_required
from cmeconf.urls import urlpatterns as site_urlpatterns


@staff_required("program")
def probe(request, provider):
    return HttpResponse(f"staff page of {provider.slug}")


urlpatterns = [path("staff-probe/<slug:provider>/", probe, name="staff_probe"), *site_urlpatterns]
