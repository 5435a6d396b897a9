"""The disclosure to learners as files: handout and slide (PDF), and JSON for the virtual stage.

Thin: the content comes from integrity.learner and integrity.handout. Only activities
learners can see are served. Each file is built once per program version (disclosures,
review decisions and support bump it) and revalidated by its ETag, so a slide shown
before a session is never older than the last decision.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from cmeconf.activities.choices import PUBLIC_STATES
from cmeconf.activities.models import Activity, Session
from cmeconf.activities.schedule import cached, etag
from cmeconf.integrity import handout, learner

PDF = "application/pdf"


def _public_activity(provider: str, activity: str) -> Activity:
    """The published activity at these slugs, or 404 (drafts are not public)."""
    return get_object_or_404(
        Activity.objects.select_related("provider"),
        provider__slug=provider,
        slug=activity,
        state__in=PUBLIC_STATES,
    )


def _session(act: Activity, code: str) -> Session:
    session = Session.objects.filter(activity=act, code=code).first()
    if session is None:
        raise Http404
    session.activity = act
    return session


def _file(
    request: HttpRequest, act: Activity, name: str, build: Callable[[], bytes], filename: str
) -> HttpResponse:
    tag = etag(act, name)
    not_modified = get_conditional_response(request, etag=tag)
    if not_modified is not None:
        return not_modified
    response = HttpResponse(cached(act, name, (), build), content_type=PDF)
    response["ETag"] = tag
    # Shown in the browser, saved under a name that says what it is.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Revalidated every time: a cheap 304 until a decision changes what learners see.
    patch_cache_control(response, public=True, no_cache=True)
    return response


@require_safe
def handout_file(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _public_activity(provider, activity)
    paper = request.GET.get("paper") or handout.default_paper(act)
    if paper not in handout.PAPER_SIZES:
        raise Http404(_("Choose paper=a4 or paper=letter."))
    return _file(
        request,
        act,
        f"disclosure-handout-{paper}",
        lambda: handout.handout_pdf(act, paper=paper),
        f"{act.slug}-disclosure.pdf",
    )


@require_safe
def slide_file(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = _public_activity(provider, activity)
    return _file(
        request,
        act,
        "disclosure-slide",
        lambda: handout.slide_pdf(act),
        f"{act.slug}-disclosure-slide.pdf",
    )


@require_safe
def session_slide_file(
    request: HttpRequest, provider: str, activity: str, code: str
) -> HttpResponse:
    act = _public_activity(provider, activity)
    session = _session(act, code)
    return _file(
        request,
        act,
        f"disclosure-slide-{session.code}",
        lambda: handout.slide_pdf(act, session),
        f"{act.slug}-{session.code}-disclosure-slide.pdf",
    )


def stage_payload(act: Activity, session: Session) -> dict:
    """What a stage player shows before the stream, kept as shown under "stage:<code>"."""
    d = learner.session_disclosure_shown(session, f"stage:{session.code}")
    return {
        "activity": {
            "slug": act.slug,
            "title": act.title,
            "provider": act.provider.name,
            "time_zone": act.time_zone,
        },
        "session": {
            "code": session.code,
            "title": session.title,
            # In the activity's time zone, as on its pages.
            "start": session.start.astimezone(act.tz).isoformat() if session.start else None,
            "end": session.end.astimezone(act.tz).isoformat() if session.end else None,
        },
        "accredited": d.accredited,
        "heading": _("Disclosure of financial relationships"),
        "statement": d.statement,
        "people": [
            {"name": p.name, "roles": list(p.roles), "line": p.text, "standing": str(p.standing)}
            for p in d.people
        ],
        "supporters_intro": d.supporters_intro,
        "supporters": [{"company": s.company, "line": s.text} for s in d.supporters],
        "version": d.digest,
        "generated": d.generated.isoformat(),
        "slide": d.links["slide"],
    }


@require_safe
def stage_json(request: HttpRequest, provider: str, activity: str, code: str) -> HttpResponse:
    act = _public_activity(provider, activity)
    session = _session(act, code)
    name = f"disclosure-stage-{session.code}"
    tag = etag(act, name)
    not_modified = get_conditional_response(request, etag=tag)
    if not_modified is not None:
        return not_modified
    response = JsonResponse(cached(act, name, (), lambda: stage_payload(act, session)))
    response["ETag"] = tag
    patch_cache_control(response, public=True, no_cache=True)
    return response
