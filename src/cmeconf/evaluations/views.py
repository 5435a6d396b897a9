"""The learner's evaluation pages, under /<provider>/<activity>/evaluation/ (namespace
"evaluations").

Thin: services decide who may answer and what is valid. Each page works on the
logged-in person's own response, never one named in the URL.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from cmeconf.activities import schedule
from cmeconf.activities.models import Activity, Session
from cmeconf.activities.views.public import public_activity
from cmeconf.evaluations import services
from cmeconf.evaluations.forms import AnswerForm
from cmeconf.evaluations.models import EvaluationForm, EvaluationResponse, FormKind
from cmeconf.evaluations.standard import ensure_activity_form
from cmeconf.providers.forms import add_service_errors


def _links(act: Activity) -> dict[str, str]:
    links = dict(schedule.activity_links(act.provider.slug, act.slug))
    links["evaluation"] = reverse("evaluations:activity_form", args=[act.provider.slug, act.slug])
    links["done"] = reverse("evaluations:done", args=[act.provider.slug, act.slug])
    return links


def _page(request, act: Activity, template: str, status: int = 200, **context) -> HttpResponse:
    context = {"activity": act, "nav": "evaluation", "links": _links(act), **context}
    with timezone.override(act.tz):
        return render(request, template, context, status=status)


def _answer(request: HttpRequest, act: Activity, form: EvaluationForm) -> HttpResponse:
    form.activity = act
    questions = services.questions_of(form)
    problem = services.refusal(form, request.user)
    if problem:
        already = EvaluationResponse.objects.filter(form=form, person=request.user).exists()
        if already:
            return redirect("evaluations:done", act.provider.slug, act.slug)
        status = 403 if not services.may_answer(form, request.user) else 200
        return _page(
            request, act, "evaluations/form.html", status=status, form=form, problem=problem
        )
    if request.method == "POST":
        answer_form = AnswerForm(request.POST, questions=questions)
        if answer_form.is_valid():
            seconds = services.seconds_from_token(
                answer_form.cleaned_data.get("opened"), form, person=request.user
            )
            try:
                services.submit(form, request.user, answer_form.answers(), seconds_spent=seconds)
            except PermissionDenied:
                raise
            except ValidationError as exc:
                add_service_errors(answer_form, exc)
            else:
                return redirect("evaluations:done", act.provider.slug, act.slug)
        # Keep the first opening time: the time spent counts from when the form was shown.
        status = 400
    else:
        answer_form = AnswerForm(
            questions=questions,
            initial={"opened": services.opened_token(form, person=request.user)},
        )
        status = 200
    return _page(
        request, act, "evaluations/form.html", status=status, form=form, answer_form=answer_form
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def activity_form(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    # Every accredited activity asks the standard questions [C8][A4]: the form exists
    # from the first time anyone opens it.
    form = ensure_activity_form(act)
    return _answer(request, act, form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def session_form(request: HttpRequest, provider: str, activity: str, session: str) -> HttpResponse:
    act = public_activity(provider, activity)
    obj = get_object_or_404(Session, activity=act, code=session)
    form = EvaluationForm.objects.filter(session=obj, kind=FormKind.SESSION).first()
    if form is None:
        raise Http404
    form.session = obj
    return _answer(request, act, form)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    form = EvaluationForm.objects.filter(
        activity=act, kind=FormKind.FOLLOW_UP, session__isnull=True
    ).first()
    if form is None:
        raise Http404
    return _answer(request, act, form)


@login_required
@require_safe
def done(request: HttpRequest, provider: str, activity: str) -> HttpResponse:
    act = public_activity(provider, activity)
    responses = (
        EvaluationResponse.objects.filter(form__activity=act, person=request.user)
        .select_related("form__session")
        .order_by("submitted_at")
    )
    session_forms = []
    if services.is_registered(act, request.user):
        answered = {r.form_id for r in responses}
        session_forms = [
            f
            for f in EvaluationForm.objects.filter(
                activity=act, kind=FormKind.SESSION, is_open=True
            ).select_related("session")
            if f.pk not in answered
        ]
    return _page(
        request,
        act,
        "evaluations/done.html",
        responses=responses,
        session_forms=session_forms,
    )
