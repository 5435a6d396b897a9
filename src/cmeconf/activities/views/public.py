"""Public pages: what learners and visitors see of published activities."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import Activity, Session

PUBLIC_STATES = (ActivityState.PUBLISHED, ActivityState.COMPLETED, ActivityState.CLOSED)


def public_activity(provider: str, activity: str) -> Activity:
    """The published activity at these slugs, or 404 (drafts are not public)."""
    return get_object_or_404(
        Activity.objects.select_related("provider"),
        provider__slug=provider,
        slug=activity,
        state__in=PUBLIC_STATES,
    )


def home(request: HttpRequest) -> HttpResponse:
    activities = (
        Activity.objects.filter(state__in=PUBLIC_STATES)
        .select_related("provider")
        .order_by("-start_date")[:50]
    )
    return render(request, "public/home.html", {"activities": activities})


def activity_home(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    return render(request, "public/activity.html", {"activity": act})


def session_detail(request: HttpRequest, provider: str, activity: str, code: str) -> HttpResponse:
    act = public_activity(provider, activity)
    session = Session.objects.filter(activity=act, code=code).first()
    if session is None:
        raise Http404
    return render(request, "public/session.html", {"activity": act, "session": session})
