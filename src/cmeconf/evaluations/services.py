"""Learners answering evaluation forms.

Who may answer (sources: docs/credits/sources.md; documented for learners in the docs):

- the activity evaluation and the follow-up survey: a person with a confirmed
  registration of the activity;
- a session's evaluation: a person with a confirmed registration of the
  activity, or with attendance recorded at that session (a scan, virtual
  presence or an imported report, not voided). Registration is enough because
  attendance of a session is often recorded late (imported reports), and the
  form is optional feedback that does not gate credit.

A form takes answers while it is open and once the activity has started (a
session's form once the session has started, when it is scheduled); the
follow-up survey once the activity has ended.

One response per form and person, submitted once, never edited. `submit`
validates every answer and saves the response and its answers in one
transaction. The seconds spent on the form are measured from a signed
timestamp given out with the page, with the id of the person it was shown to:
ANCC counts evaluation time [N1]; a forged, missing, another person's or more
than two hours old timestamp records no time rather than a wrong one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cmeconf.attendance.models import AttendanceInterval
from cmeconf.common import audit
from cmeconf.evaluations.models import (
    EvaluationAnswer,
    EvaluationForm,
    EvaluationQuestion,
    EvaluationResponse,
    FormKind,
    QuestionKind,
)
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.models import Registration

TEXT_ANSWER_MAX = 5000
TOKEN_SALT = "cmeconf.evaluations.opened"  # noqa: S105 (a signing salt, not a secret)
# A form left open longer than this counts no time: the learner was away. Two hours
# are far more than any evaluation takes; ANCC counts the time only up to the
# provider's allowance anyway [N1].
TOKEN_MAX_AGE = 2 * 60 * 60


def field_name(question: EvaluationQuestion) -> str:
    """The name of a question's answer in submitted data: q<id>."""
    return f"q{question.pk}"


def questions_of(form: EvaluationForm) -> list[EvaluationQuestion]:
    return list(form.questions.order_by("order", "id"))


# --- who and when ------------------------------------------------------------------------------


def is_registered(activity, person) -> bool:
    return Registration.objects.filter(
        activity=activity, person=person, status=RegistrationStatus.CONFIRMED
    ).exists()


def attended_session(session, person) -> bool:
    return AttendanceInterval.objects.filter(
        session=session, person=person, voided_at__isnull=True
    ).exists()


def may_answer(form: EvaluationForm, person) -> bool:
    """Whether `person` is among those who answer this form (see the module docstring)."""
    if not getattr(person, "is_authenticated", False):
        return False
    if is_registered(form.activity, person):
        return True
    return (
        form.kind == FormKind.SESSION
        and bool(form.session_id)
        and attended_session(form.session, person)
    )


NOT_ALLOWED = gettext_noop(
    "Only learners with a confirmed registration of this activity may answer it."
)


def refusal(form: EvaluationForm, person, *, now: dt.datetime | None = None) -> str:
    """Why `person` may not answer `form` now; empty when they may."""
    now = now or timezone.now()
    if not may_answer(form, person):
        return _(NOT_ALLOWED)
    if EvaluationResponse.objects.filter(form=form, person=person).exists():
        return _("You have already submitted this form. Thank you.")
    return closed_reason(form, now=now)


def closed_reason(form: EvaluationForm, *, now: dt.datetime | None = None) -> str:
    """Why the form takes no answers now; empty when it is open."""
    now = now or timezone.now()
    if not form.is_open:
        return _("This form is closed.")
    starts, ends = form.activity.local_bounds()
    if form.kind == FormKind.FOLLOW_UP:
        if now < ends:
            return _("The follow-up survey opens after the activity has ended.")
        return ""
    if now < starts:
        return _("The evaluation opens when the activity starts.")
    session = form.session if form.session_id else None
    if session is not None and session.start and now < session.start:
        return _("The evaluation of this session opens when the session starts.")
    return ""


# --- which questions are shown -----------------------------------------------------------------


def _as_list(raw: Any) -> list:
    if raw is None or raw == "":
        return []
    if isinstance(raw, list | tuple):
        return list(raw)
    return [raw]


def shown(question: EvaluationQuestion, values: Mapping[int, Any]) -> bool:
    """Whether a question applies, given the answers (by question id) to the others."""
    if not question.shown_if_question_id:
        return True
    answer = values.get(question.shown_if_question_id)
    return any(str(v) in question.shown_if_values for v in _as_list(answer))


# --- seconds spent -----------------------------------------------------------------------------


def _person_id(person) -> int | None:
    return getattr(person, "pk", None) if getattr(person, "is_authenticated", False) else None


def opened_token(form: EvaluationForm, *, person=None, now: float | None = None) -> str:
    """A signed note of when the form was shown to `person`, to put in a hidden field.

    Give the person: the note then counts only for that person's answers, so one
    learner cannot hand an old note to another.
    """
    return signing.dumps(
        {"form": form.pk, "at": now or time.time(), "person": _person_id(person)},
        salt=TOKEN_SALT,
    )


def seconds_from_token(
    token: str | None, form: EvaluationForm, *, person=None, now: float | None = None
) -> int | None:
    """Seconds since the form was shown, or None if the note is missing, forged, another
    form's or another person's (the person it was given to must be the one answering),
    in the future, or older than `TOKEN_MAX_AGE` (two hours)."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        opened = float(data["at"])
        if data["form"] != form.pk:
            return None
        if data.get("person") != _person_id(person):
            return None
    except (signing.BadSignature, KeyError, TypeError, ValueError, AttributeError):
        return None
    seconds = (now or time.time()) - opened
    if seconds < 0 or seconds > TOKEN_MAX_AGE:
        return None
    return int(seconds)


# --- answering ---------------------------------------------------------------------------------


def _clean_answer(question: EvaluationQuestion, raw: Any) -> tuple[Any, str] | None:
    """(value, text) to store, None when unanswered; raises ValidationError when invalid."""
    kind = question.kind
    if kind == QuestionKind.RATING:
        if raw is None or raw == "":
            return None
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("Choose a number on the scale.")) from None
        if not (question.scale_min <= number <= question.scale_max):
            raise ValidationError(
                _("Choose a number from %(lo)d to %(hi)d.")
                % {"lo": question.scale_min, "hi": question.scale_max}
            )
        return number, ""
    if kind == QuestionKind.SINGLE:
        if isinstance(raw, list | tuple):
            if len(raw) > 1:
                raise ValidationError(_("Choose one option."))
            raw = raw[0] if raw else None
        if raw is None or raw == "":
            return None
        if str(raw) not in question.choices:
            raise ValidationError(_("Choose one of the options shown."))
        return str(raw), ""
    if kind == QuestionKind.MULTIPLE:
        chosen = [str(v) for v in _as_list(raw) if v not in (None, "")]
        if not chosen:
            return None
        if any(c not in question.choices for c in chosen):
            raise ValidationError(_("Choose only among the options shown."))
        # Kept in the order of the options, each once.
        return [c for c in question.choices if c in chosen], ""
    # Free text and commitment to change.
    if isinstance(raw, list | tuple):
        raw = " ".join(str(v) for v in raw)
    text = ("" if raw is None else str(raw)).strip()
    if not text:
        return None
    if len(text) > TEXT_ANSWER_MAX:
        raise ValidationError(
            _("Write at most %(n)d characters (you wrote %(len)d).")
            % {"n": TEXT_ANSWER_MAX, "len": len(text)}
        )
    return None, text


def clean_answers(
    questions: Iterable[EvaluationQuestion], data: Mapping[str, Any]
) -> dict[EvaluationQuestion, tuple[Any, str]]:
    """Validate the answers in `data` (keyed by `field_name`); raise ValidationError by field.

    A required question must be answered when it is shown; a question shown only
    after another's answer (the bias comment after "no" [A4]) is required then,
    and its answer is dropped when it does not apply.
    """
    questions = list(questions)
    errors: dict[str, list[str]] = {}
    cleaned: dict[EvaluationQuestion, tuple[Any, str]] = {}
    raw_by_id: dict[int, Any] = {}
    for question in questions:
        raw_by_id[question.pk] = data.get(field_name(question))
    for question in questions:
        if not shown(question, raw_by_id):
            continue
        try:
            answer = _clean_answer(question, raw_by_id[question.pk])
        except ValidationError as exc:
            errors[field_name(question)] = exc.messages
            continue
        if answer is None:
            if question.required:
                if question.shown_if_question_id:
                    message = _("Please tell us more: this is needed with your answer above.")
                else:
                    message = _("This question needs an answer.")
                errors[field_name(question)] = [message]
            continue
        cleaned[question] = answer
    if errors:
        raise ValidationError(errors)
    return cleaned


def submit(
    form: EvaluationForm,
    person,
    data: Mapping[str, Any],
    *,
    seconds_spent: int | None = None,
    now: dt.datetime | None = None,
) -> EvaluationResponse:
    """Save `person`'s answers to `form`, once.

    Raises PermissionDenied when the person may not answer (not registered, or not at
    the session), ValidationError when the form is closed, was answered already, or an
    answer is missing or invalid (by field). Side effects: the response and its answers
    (one transaction), audit "evaluation.submitted" (which form and when, not the answers).
    """
    now = now or timezone.now()
    if not may_answer(form, person):
        raise PermissionDenied(_(NOT_ALLOWED))
    if EvaluationResponse.objects.filter(form=form, person=person).exists():
        raise ValidationError(_("You have already submitted this form; it can be sent only once."))
    closed = closed_reason(form, now=now)
    if closed:
        raise ValidationError(closed)
    cleaned = clean_answers(questions_of(form), data)
    if seconds_spent is not None and seconds_spent < 0:
        seconds_spent = None
    try:
        with transaction.atomic():
            response = EvaluationResponse.objects.create(
                form=form, person=person, submitted_at=now, seconds_spent=seconds_spent
            )
            EvaluationAnswer.objects.bulk_create(
                EvaluationAnswer(response=response, question=q, value=value, text=text)
                for q, (value, text) in cleaned.items()
            )
            audit.record(
                "evaluation.submitted",
                actor=person,
                obj=response,
                after={"form": form.pk, "kind": form.kind, "submitted_at": now},
                provider_id=form.activity.provider_id,
                activity_id=form.activity_id,
            )
    except IntegrityError:
        # The same person submitting twice at the same moment (two tabs).
        raise ValidationError(
            _("You have already submitted this form; it can be sent only once.")
        ) from None
    return response
