"""Staff pages of evaluations: the forms and their questions, and what learners answered.

Teams with the credit or program permission build forms; teams with the credit or
reports permission read results and export them. Everything else is refused by
`staff_required` (other providers' staff and learners get 404, anonymous people
the login page) or here (403). Every change goes through builder.py, which
audits it.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cmeconf.activities.models import Session
from cmeconf.evaluations import builder, export, results
from cmeconf.evaluations.forms import (
    FollowUpCreateForm,
    FormSettingsForm,
    QuestionForm,
    SessionFormCreateForm,
)
from cmeconf.evaluations.models import EvaluationForm, EvaluationQuestion, FormKind
from cmeconf.evaluations.standard import activity_form, ensure_activity_form
from cmeconf.providers.access import in_activity_time, staff_required
from cmeconf.providers.forms import add_service_errors
from cmeconf.providers.models import Provider


def _can_build(request: HttpRequest) -> bool:
    return bool(builder.BUILD_PERMISSIONS & request.perms)


def _can_read(request: HttpRequest) -> bool:
    return bool(builder.READ_PERMISSIONS & request.perms)


def _require_build(request: HttpRequest) -> None:
    if not _can_build(request):
        raise PermissionDenied(_("Only credit or program staff may build evaluation forms."))


def _require_read(request: HttpRequest) -> None:
    if not _can_read(request):
        raise PermissionDenied(_("Only credit or reports staff may read evaluation results."))


def _context(request: HttpRequest, provider, activity, **extra) -> dict:
    return {
        "provider": provider,
        "activity": activity,
        "perms": request.perms,
        "tab": "evaluations",
        "can_build": _can_build(request),
        "can_read": _can_read(request),
        **extra,
    }


def _form(activity, pk: int) -> EvaluationForm:
    form = EvaluationForm.objects.filter(activity=activity, pk=pk).select_related("session").first()
    if form is None:
        raise Http404(_("No such evaluation form in this activity."))
    form.activity = activity
    return form


def _question(form: EvaluationForm, pk: int) -> EvaluationQuestion:
    question = EvaluationQuestion.objects.filter(form=form, pk=pk).first()
    if question is None:
        raise Http404(_("No such question in this form."))
    question.form = form
    return question


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- overview ----------------------------------------------------------------------------------


def _overview(request, provider, activity, *, session_form=None, follow_up_form=None, status=200):
    if _can_build(request):
        ensure_activity_form(activity, by=request.user)
    forms = list(
        EvaluationForm.objects.filter(activity=activity)
        .select_related("session")
        .annotate(response_count=Count("responses"))
        .order_by("kind", "session__start", "id")
    )
    rows = [(f, f.response_count) for f in forms]
    with_form = {f.session_id for f in forms if f.session_id}
    sessions = [
        s
        for s in Session.objects.filter(activity=activity).order_by("start", "title")
        if s.pk not in with_form
    ]
    has_follow_up = any(f.kind == FormKind.FOLLOW_UP for f in forms)
    return render(
        request,
        "evaluations/staff/overview.html",
        _context(
            request,
            provider,
            activity,
            rows=rows,
            missing=activity_form(activity) is None,
            session_form=session_form or SessionFormCreateForm(sessions=sessions),
            follow_up_form=None if has_follow_up else (follow_up_form or FollowUpCreateForm()),
            sessions=sessions,
        ),
        status=status,
    )


@require_safe
@staff_required()
@in_activity_time
def overview(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    if not (_can_build(request) or _can_read(request)):
        raise PermissionDenied(_("Your teams do not allow this."))
    return _overview(request, provider, activity)


@require_POST
@staff_required()
@in_activity_time
def add_session_form(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _require_build(request)
    sessions = list(Session.objects.filter(activity=activity))
    form = SessionFormCreateForm(request.POST, sessions=sessions)
    if form.is_valid():
        session = next(s for s in sessions if s.code == form.cleaned_data["session"])
        session.activity = activity
        try:
            created = builder.create_session_form(session, by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Session evaluation created."))
            return redirect("staff:evaluation_form", provider.slug, activity.slug, created.pk)
    return _overview(request, provider, activity, session_form=form, status=400)


@require_POST
@staff_required()
@in_activity_time
def add_follow_up(request: HttpRequest, provider: Provider, activity) -> HttpResponse:
    _require_build(request)
    form = FollowUpCreateForm(request.POST)
    if form.is_valid():
        try:
            created = builder.create_follow_up_form(
                activity, by=request.user, send_after_days=form.cleaned_data["send_after_days"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Follow-up survey created."))
            return redirect("staff:evaluation_form", provider.slug, activity.slug, created.pk)
    return _overview(request, provider, activity, follow_up_form=form, status=400)


# --- one form: the builder ---------------------------------------------------------------------


def _form_page(
    request, provider, activity, form, *, question_form=None, settings_form=None, status=200
):
    questions = list(form.questions.order_by("order", "id"))
    return render(
        request,
        "evaluations/staff/form.html",
        _context(
            request,
            provider,
            activity,
            form=form,
            questions=questions,
            responses=form.responses.count(),
            question_form=question_form or QuestionForm(initial={"required": True}),
            settings_form=settings_form
            or FormSettingsForm(
                initial={
                    "title": form.title,
                    "introduction": form.introduction,
                    "is_open": form.is_open,
                    "send_after_days": form.send_after_days,
                }
            ),
            is_follow_up=form.kind == FormKind.FOLLOW_UP,
        ),
        status=status,
    )


@require_safe
@staff_required()
@in_activity_time
def form_page(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _require_build(request)
    return _form_page(request, provider, activity, _form(activity, pk))


@require_POST
@staff_required()
@in_activity_time
def form_settings(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _require_build(request)
    form = _form(activity, pk)
    settings_form = FormSettingsForm(request.POST)
    if settings_form.is_valid():
        changes = dict(settings_form.cleaned_data)
        if form.kind != FormKind.FOLLOW_UP:
            changes.pop("send_after_days")
        try:
            builder.update_form(form, by=request.user, **changes)
        except ValidationError as exc:
            add_service_errors(settings_form, exc)
        else:
            messages.success(request, _("Form saved."))
            return redirect("staff:evaluation_form", provider.slug, activity.slug, form.pk)
    return _form_page(request, provider, activity, form, settings_form=settings_form, status=400)


@require_POST
@staff_required()
@in_activity_time
def form_delete(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _require_build(request)
    form = _form(activity, pk)
    try:
        builder.delete_form(form, by=request.user)
    except ValidationError as exc:
        _show_errors(request, exc)
        return redirect("staff:evaluation_form", provider.slug, activity.slug, form.pk)
    messages.success(request, _("Form deleted."))
    return redirect("staff:evaluations", provider.slug, activity.slug)


@require_POST
@staff_required()
@in_activity_time
def question_add(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _require_build(request)
    form = _form(activity, pk)
    question_form = QuestionForm(request.POST)
    if question_form.is_valid():
        try:
            builder.add_question(form, by=request.user, **question_form.service_kwargs())
        except ValidationError as exc:
            add_service_errors(question_form, exc)
        else:
            messages.success(request, _("Question added."))
            return redirect("staff:evaluation_form", provider.slug, activity.slug, form.pk)
    return _form_page(request, provider, activity, form, question_form=question_form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required()
@in_activity_time
def question_edit(
    request: HttpRequest, provider: Provider, activity, pk: int, question: int
) -> HttpResponse:
    _require_build(request)
    form = _form(activity, pk)
    obj = _question(form, question)
    if request.method == "POST":
        question_form = QuestionForm(request.POST)
        if question_form.is_valid():
            try:
                builder.edit_question(obj, by=request.user, **question_form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(question_form, exc)
            else:
                messages.success(request, _("Question saved."))
                return redirect("staff:evaluation_form", provider.slug, activity.slug, form.pk)
    else:
        question_form = QuestionForm.for_question(obj)
    return render(
        request,
        "evaluations/staff/question.html",
        _context(
            request,
            provider,
            activity,
            form=form,
            question=obj,
            question_form=question_form,
            answered=form.responses.exists(),
        ),
        status=400 if question_form.errors else 200,
    )


@require_POST
@staff_required()
@in_activity_time
def question_delete(
    request: HttpRequest, provider: Provider, activity, pk: int, question: int
) -> HttpResponse:
    _require_build(request)
    form = _form(activity, pk)
    obj = _question(form, question)
    try:
        builder.delete_question(obj, by=request.user)
    except ValidationError as exc:
        _show_errors(request, exc)
    else:
        messages.success(request, _("Question deleted."))
    return redirect("staff:evaluation_form", provider.slug, activity.slug, form.pk)


@require_POST
@staff_required()
@in_activity_time
def question_move(
    request: HttpRequest, provider: Provider, activity, pk: int, question: int
) -> HttpResponse:
    _require_build(request)
    form = _form(activity, pk)
    obj = _question(form, question)
    try:
        builder.move_question(obj, by=request.user, up=request.POST.get("direction") == "up")
    except ValidationError as exc:
        _show_errors(request, exc)
    return redirect("staff:evaluation_form", provider.slug, activity.slug, form.pk)


# --- results -----------------------------------------------------------------------------------


@require_safe
@staff_required()
@in_activity_time
def results_page(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _require_read(request)
    form = _form(activity, pk)
    return render(
        request,
        "evaluations/staff/results.html",
        _context(request, provider, activity, form=form, results=results.form_results(form)),
    )


def _csv(name: str, text: str) -> HttpResponse:
    # A BOM so that spreadsheet programs read the accents right.
    response = HttpResponse("\ufeff" + text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@staff_required()
def answers_csv(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _require_read(request)
    form = _form(activity, pk)
    out = io.StringIO()
    export.write_answers_csv(form, out)
    return _csv(f"{provider.slug}-{activity.slug}-evaluation-{form.pk}-answers.csv", out.getvalue())


@require_safe
@staff_required()
def summary_csv(request: HttpRequest, provider: Provider, activity, pk: int) -> HttpResponse:
    _require_read(request)
    form = _form(activity, pk)
    out = io.StringIO()
    export.write_summary_csv(form, out)
    return _csv(f"{provider.slug}-{activity.slug}-evaluation-{form.pk}-summary.csv", out.getvalue())
