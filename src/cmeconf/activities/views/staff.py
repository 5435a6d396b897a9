"""Staff backend for activities and their program. Thin: rules live in services and rules."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cmeconf.providers.models import Provider


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The providers this person works for."""
    providers = (
        Provider.objects.all()
        if request.user.is_superuser
        else Provider.objects.filter(teams__members=request.user).distinct()
    )
    return render(request, "staff/index.html", {"providers": providers})
