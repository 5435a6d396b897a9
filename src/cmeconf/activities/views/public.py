"""Public pages: what learners and visitors see of published activities.

Thin: the program's layout and caching live in activities.schedule, the files in
activities.exports, bookmarks in activities.services.agenda. Shared cached HTML never holds
anything personal; bookmark state reaches cached pages through agenda_ids.json.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from cmeconf.accounts.rules import Profession
from cmeconf.activities import hooks, page_cache, schedule
from cmeconf.activities.choices import PUBLIC_STATES
from cmeconf.activities.exports import csv as csv_export
from cmeconf.activities.exports import frab, ical
from cmeconf.activities.models import Activity, Bookmark, Session
from cmeconf.activities.services import agenda as agenda_services

# Calendar apps and schedule readers poll; five minutes of staleness spares the server.
EXPORT_MAX_AGE = 300


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


def _page(request: HttpRequest, activity: Activity, template: str, nav: str, **context):
    links = schedule.activity_links(activity.provider.slug, activity.slug)
    context = {"activity": activity, "nav": nav, "links": links, **context}
    with timezone.override(activity.tz):
        return render(request, template, context)


def _with_csrf(request: HttpRequest, html: str) -> str:
    # The cached fragment carries a placeholder where its forms need the requester's token.
    if page_cache.CSRF_PLACEHOLDER in html:
        html = html.replace(page_cache.CSRF_PLACEHOLDER, page_cache.csrf_value(request))
    return mark_safe(html)  # noqa: S308  (rendered by our own templates, autoescaped)


@page_cache.anonymous_page
def activity_home(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    professions = [
        Profession(p).label if p in Profession.values else p for p in act.target_professions
    ]
    # The disclosure to learners (people and supporters), where a later app provides it.
    disclosure = hooks.activity_disclosure(act)
    # Accreditation and credit designation statements, where a later app provides them.
    statements = hooks.activity_statements(act)
    return _page(
        request,
        act,
        "public/activity.html",
        "home",
        professions=professions,
        disclosure=disclosure,
        statements=statements,
    )


@require_safe
@page_cache.anonymous_page
def schedule_page(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    day = schedule.parse_day(act, request.GET.get("day"))
    filters = schedule.parse_filters(request.GET)
    html = schedule.schedule_fragment(act, day, filters)
    return _page(
        request, act, "public/schedule.html", "schedule", day=day, grid=_with_csrf(request, html)
    )


@require_safe
@page_cache.anonymous_page
def session_detail(request: HttpRequest, provider: str, activity: str, code: str) -> HttpResponse:
    act = public_activity(provider, activity)
    found = schedule.session_fragment(act, code)
    if found is None:
        raise Http404
    title, html = found
    bookmarked = None
    if request.user.is_authenticated:
        bookmarked = Bookmark.objects.filter(
            user=request.user, session__activity=act, session__code=code
        ).exists()
    return _page(
        request,
        act,
        "public/session.html",
        "schedule",
        title=title,
        code=code,
        body=mark_safe(html),  # noqa: S308  (our own template's output)
        bookmarked=bookmarked,
        csrf_value=page_cache.csrf_value(request),
    )


@require_safe
@page_cache.anonymous_page
def faculty_list(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    html = schedule.faculty_list_fragment(act)
    return _page(request, act, "public/faculty_list.html", "faculty", body=mark_safe(html))  # noqa: S308


@require_safe
@page_cache.anonymous_page
def faculty_detail(request: HttpRequest, provider: str, activity: str, pk: int) -> HttpResponse:
    act = public_activity(provider, activity)
    found = schedule.faculty_fragment(act, pk)
    if found is None:
        raise Http404
    name, html = found
    return _page(
        request,
        act,
        "public/faculty.html",
        "faculty",
        name=name,
        body=mark_safe(html),  # noqa: S308
    )


@require_safe
def search(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    query = request.GET.get("q", "")
    results = schedule.search(act, query) if query.strip() else None
    return _page(request, act, "public/search.html", "search", q=query, results=results)


@login_required
@require_safe
def agenda(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    sessions = schedule.agenda_sessions(act, request.user)
    token = schedule.agenda_feed_token(request.user, act)
    feed_path = reverse("public:agenda_ics", args=[act.provider.slug, act.slug, token])
    return _page(
        request,
        act,
        "public/agenda.html",
        "agenda",
        days=schedule.agenda_days(act, sessions),
        conflicts=schedule.agenda_conflicts(sessions),
        count=len(sessions),
        feed_url=request.build_absolute_uri(feed_path),
        feed_path=feed_path,
        csrf_value=page_cache.csrf_value(request),
    )


def _back(request: HttpRequest, session_url: str) -> str:
    target = request.POST.get("next") or request.headers.get("Referer") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return session_url


@require_POST
def bookmark(request: HttpRequest, provider: str, activity: str, code: str) -> HttpResponse:
    """Toggle a session in the user's agenda; a partial button for htmx-style requests."""
    act = public_activity(provider, activity)
    session = get_object_or_404(Session, activity=act, code=code)
    session_url = reverse("public:session", args=[act.provider.slug, act.slug, code])
    if not request.user.is_authenticated:
        return redirect_to_login(_back(request, session_url))
    if Bookmark.objects.filter(user=request.user, session=session).exists():
        agenda_services.unbookmark(session, user=request.user)
        bookmarked = False
        message = _("Removed “%(title)s” from your agenda.")
    else:
        agenda_services.bookmark(session, user=request.user)
        bookmarked = True
        message = _("Added “%(title)s” to your agenda.")
    if request.headers.get("HX-Request") == "true":
        return render(
            request,
            "public/_bookmark_button.html",
            {
                "activity": act,
                "code": code,
                "title": session.title,
                "bookmarked": bookmarked,
                "csrf_value": get_token(request),
                "next": request.POST.get("next", ""),
                "announce": message % {"title": session.title},
            },
        )
    messages.success(request, message % {"title": session.title})
    return redirect(_back(request, session_url))


@require_safe
def agenda_ids(request: HttpRequest, provider: str, activity: str) -> JsonResponse:
    """The codes of the user's bookmarked sessions, for marking buttons on cached pages."""
    act = public_activity(provider, activity)
    codes: list[str] = []
    if request.user.is_authenticated:
        codes = list(
            Bookmark.objects.filter(user=request.user, session__activity=act)
            .order_by("session__code")
            .values_list("session__code", flat=True)
        )
    response = JsonResponse({"codes": codes, "authenticated": request.user.is_authenticated})
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def agenda_ics(request: HttpRequest, provider: str, activity: str, token: str) -> HttpResponse:
    act = public_activity(provider, activity)
    user_id = schedule.agenda_feed_user_id(token, act)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise Http404(_("This calendar link is not valid."))
    sessions = schedule.agenda_sessions(act, user)
    response = HttpResponse(ical.agenda_ics(act, sessions), content_type=ical.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{act.slug}-agenda.ics"'
    response["Cache-Control"] = "private, max-age=0"
    return response


# --- exports: cached bodies with a validator ---------------------------------------------------


def _export(
    request: HttpRequest,
    act: Activity,
    name: str,
    build: Callable[[], bytes],
    content_type: str,
    filename: str | None,
) -> HttpResponse:
    tag = schedule.etag(act, name)
    not_modified = get_conditional_response(request, etag=tag)
    if not_modified is not None:
        return not_modified
    body = schedule.cached(act, name, (), build)
    response = HttpResponse(body, content_type=content_type)
    response["ETag"] = tag
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=EXPORT_MAX_AGE)
    return response


@require_safe
def schedule_ics(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    return _export(
        request, act, "schedule.ics", lambda: ical.schedule_ics(act), ical.CONTENT_TYPE,
        f"{act.slug}.ics",
    )  # fmt: skip


@require_safe
def session_ics(request: HttpRequest, provider: str, activity: str, code: str) -> HttpResponse:
    act = public_activity(provider, activity)

    def build() -> bytes:
        session = schedule.sessions_queryset(act).filter(code=code).first()
        if session is None or session.start is None:
            raise Http404
        session.activity = act
        return ical.session_ics(act, session)

    return _export(
        request, act, f"session-{code}.ics", build, ical.CONTENT_TYPE, f"{act.slug}-{code}.ics"
    )


@require_safe
def schedule_xml(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    return _export(
        request, act, "schedule.xml", lambda: frab.schedule_xml(act),
        "application/xml; charset=utf-8", None,
    )  # fmt: skip


@require_safe
def schedule_json(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    return _export(
        request, act, "schedule.json", lambda: frab.schedule_json(act),
        "application/json; charset=utf-8", None,
    )  # fmt: skip


@require_safe
def sessions_csv(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    return _export(
        request, act, "sessions.csv", lambda: csv_export.sessions_csv(act),
        csv_export.CONTENT_TYPE, f"{act.slug}-sessions.csv",
    )  # fmt: skip


@require_safe
def tracks_css(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    return _export(
        request, act, "tracks.css", lambda: schedule.tracks_css(act).encode(),
        "text/css; charset=utf-8", None,
    )  # fmt: skip
