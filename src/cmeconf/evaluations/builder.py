"""Building evaluation forms: questions per activity and per session, the follow-up survey.

Staff with the credit or the program permission for the activity build forms.
Every change is audited. Two rules keep answers meaningful:

- the standard questions [C8][A4] (see standard.py) are never deleted nor
  changed; they may only be moved among the others;
- once a form has responses, its questions cannot be deleted and their kind,
  choices and scale cannot change: only the wording (question text, help) may
  be corrected, so every stored answer keeps the meaning it was given.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.evaluations.models import (
    EvaluationForm,
    EvaluationQuestion,
    FormKind,
    QuestionKind,
)
from cmeconf.providers.permissions import Permission, permission_set

BUILD_PERMISSIONS = frozenset({Permission.CREDIT, Permission.PROGRAM})
READ_PERMISSIONS = frozenset({Permission.CREDIT, Permission.REPORTS})

TEXT_MAX = 500
HELP_MAX = 300
CHOICE_MAX = 200
CHOICES_MAX = 20
SCALE_LOWEST = 0
SCALE_HIGHEST = 10
TITLE_MAX = 200
INTRO_MAX = 5000
DEFAULT_FOLLOW_UP_DAYS = 42

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
QUESTION_FIELDS = ("kind", "text", "help_text", "choices", "scale_min", "scale_max", "required")
FORM_FIELDS = ("title", "introduction", "is_open", "send_after_days")


def can_build(user, activity) -> bool:
    return bool(BUILD_PERMISSIONS & permission_set(user, activity.provider, activity))


def can_read_results(user, activity) -> bool:
    return bool(READ_PERMISSIONS & permission_set(user, activity.provider, activity))


def _check_build(user, activity) -> None:
    if not can_build(user, activity):
        raise PermissionDenied(_("Only credit or program staff may build evaluation forms."))


def _record(action: str, *, by, obj, form: EvaluationForm, before=None, after=None) -> None:
    audit.record(
        action,
        actor=by,
        obj=obj,
        before=before,
        after=after,
        provider_id=form.activity.provider_id,
        activity_id=form.activity_id,
    )


def lock_form(form: EvaluationForm) -> EvaluationForm:
    """Lock the form's row until the transaction ends (changes to a form queue up)."""
    # No ordering: the default one joins the session, which FOR UPDATE cannot lock.
    return EvaluationForm.objects.select_for_update().order_by().get(pk=form.pk)


def has_responses(form: EvaluationForm) -> bool:
    return form.responses.exists()


# --- validation --------------------------------------------------------------------------------


def clean_choices(choices: Sequence[str] | str | None) -> list[str]:
    """Choices typed one per line (or given as a list), trimmed, blanks dropped."""
    if choices is None:
        return []
    if isinstance(choices, str):
        choices = choices.splitlines()
    return [c.strip() for c in choices if c and c.strip()]


def validate_question(
    *,
    kind: str,
    text: str,
    help_text: str = "",
    choices: Sequence[str] = (),
    scale_min: int = 1,
    scale_max: int = 5,
) -> None:
    """Raise ValidationError, by field, when the question could not be answered sensibly."""
    errors: dict[str, list[str]] = {}
    if kind not in QuestionKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of question."))
    if not text.strip():
        errors.setdefault("text", []).append(_("Write the question."))
    elif len(text) > TEXT_MAX:
        errors.setdefault("text", []).append(
            _("A question has at most %(n)d characters.") % {"n": TEXT_MAX}
        )
    if len(help_text) > HELP_MAX:
        errors.setdefault("help_text", []).append(
            _("The help has at most %(n)d characters.") % {"n": HELP_MAX}
        )
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors.setdefault("choices", []).append(_("Give at least two options, one per line."))
        elif len({c.casefold() for c in choices}) != len(choices):
            errors.setdefault("choices", []).append(_("Each option must differ from the others."))
        if len(choices) > CHOICES_MAX:
            errors.setdefault("choices", []).append(
                _("Give at most %(n)d options.") % {"n": CHOICES_MAX}
            )
        if any(len(c) > CHOICE_MAX for c in choices):
            errors.setdefault("choices", []).append(
                _("An option has at most %(n)d characters.") % {"n": CHOICE_MAX}
            )
    if kind == QuestionKind.RATING:
        if not (SCALE_LOWEST <= scale_min < scale_max <= SCALE_HIGHEST):
            errors.setdefault("scale_max", []).append(
                _("The scale must go from a lower to a higher number, between %(lo)d and %(hi)d.")
                % {"lo": SCALE_LOWEST, "hi": SCALE_HIGHEST}
            )
        if len(choices) not in (0, 2):
            errors.setdefault("choices", []).append(
                _("For a rating, give the labels of the two ends (lowest first), or none.")
            )
        elif any(len(c) > CHOICE_MAX for c in choices):
            errors.setdefault("choices", []).append(
                _("A label has at most %(n)d characters.") % {"n": CHOICE_MAX}
            )
    if errors:
        raise ValidationError(errors)


def _normalised(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    """What is stored for a question of this kind: no choices on a text question, etc."""
    choices = clean_choices(values.get("choices"))
    scale_min = int(values.get("scale_min", 1) if values.get("scale_min") is not None else 1)
    scale_max = int(values.get("scale_max", 5) if values.get("scale_max") is not None else 5)
    if kind not in CHOICE_KINDS and kind != QuestionKind.RATING:
        choices = []
    if kind != QuestionKind.RATING:
        scale_min, scale_max = 1, 5
    return {
        "kind": kind,
        "text": (values.get("text") or "").strip(),
        "help_text": (values.get("help_text") or "").strip(),
        "choices": choices,
        "scale_min": scale_min,
        "scale_max": scale_max,
        "required": bool(values.get("required", True)),
    }


# --- questions ---------------------------------------------------------------------------------


def add_question(
    form: EvaluationForm,
    *,
    by,
    kind: str,
    text: str,
    help_text: str = "",
    choices: Sequence[str] | str | None = None,
    scale_min: int = 1,
    scale_max: int = 5,
    required: bool = True,
) -> EvaluationQuestion:
    """Add a question at the end of the form. Audit "evaluation.question_added"."""
    _check_build(by, form.activity)
    values = _normalised(
        kind,
        {
            "text": text,
            "help_text": help_text,
            "choices": choices,
            "scale_min": scale_min,
            "scale_max": scale_max,
            "required": required,
        },
    )
    validate_question(**{k: v for k, v in values.items() if k != "required"})
    with transaction.atomic():
        last = form.questions.order_by("-order").values_list("order", flat=True).first() or 0
        question = EvaluationQuestion.objects.create(form=form, order=last + 10, **values)
        _record(
            "evaluation.question_added",
            by=by,
            obj=question,
            form=form,
            after={"form": form.pk, **values},
        )
    return question


def edit_question(question: EvaluationQuestion, *, by, **changes: Any) -> EvaluationQuestion:
    """Change a question's wording, and while the form has no responses, its kind and options.

    Standard questions cannot be changed [C8][A4]. Audit "evaluation.question_changed".
    """
    form = question.form
    _check_build(by, form.activity)
    if question.standard:
        raise ValidationError(
            _("This is one of the questions every accredited activity asks; it cannot be changed.")
        )
    unknown = set(changes) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"not question fields: {sorted(unknown)}")
    before = audit.snapshot(question, QUESTION_FIELDS)
    merged = {**before, **changes}
    values = _normalised(merged.get("kind") or question.kind, merged)
    validate_question(**{k: v for k, v in values.items() if k != "required"})
    with transaction.atomic():
        locked = lock_form(form)
        if locked.responses.exists():
            frozen = [
                name
                for name in ("kind", "choices", "scale_min", "scale_max", "required")
                if values[name] != before[name]
            ]
            if frozen:
                raise ValidationError(
                    {
                        frozen[0]: _(
                            "Learners have already answered this form: only the wording of a "
                            "question may be corrected, so that their answers keep their meaning."
                        )
                    }
                )
        for name, value in values.items():
            setattr(question, name, value)
        question.save()
        after = audit.snapshot(question, QUESTION_FIELDS)
        if after != before:
            _record(
                "evaluation.question_changed",
                by=by,
                obj=question,
                form=form,
                before=before,
                after=after,
            )
    return question


def delete_question(question: EvaluationQuestion, *, by) -> None:
    """Delete a question of a form nobody answered yet. Audit "evaluation.question_deleted"."""
    form = question.form
    _check_build(by, form.activity)
    if question.standard:
        raise ValidationError(
            _("This is one of the questions every accredited activity asks; it cannot be deleted.")
        )
    with transaction.atomic():
        locked = lock_form(form)
        if locked.responses.exists():
            raise ValidationError(
                _(
                    "Learners have already answered this form: its questions cannot be deleted, "
                    "so that their answers keep their meaning."
                )
            )
        before = {"form": form.pk, **audit.snapshot(question, QUESTION_FIELDS)}
        _record("evaluation.question_deleted", by=by, obj=question, form=form, before=before)
        question.delete()


def move_question(question: EvaluationQuestion, *, by, up: bool) -> None:
    """Move a question one place up or down. A question shown only after another's answer
    stays below that question. Audit "evaluation.questions_reordered"."""
    form = question.form
    _check_build(by, form.activity)
    with transaction.atomic():
        lock_form(form)
        questions = list(form.questions.order_by("order", "id"))
        ids = [q.pk for q in questions]
        i = ids.index(question.pk)
        j = i - 1 if up else i + 1
        if j < 0 or j >= len(ids):
            return
        ids[i], ids[j] = ids[j], ids[i]
        reorder_questions(form, ids, by=by, _questions=questions)


def reorder_questions(
    form: EvaluationForm, ids: Sequence[int], *, by, _questions=None
) -> list[EvaluationQuestion]:
    """Put the form's questions in the order of `ids` (every question once)."""
    _check_build(by, form.activity)
    with transaction.atomic():
        questions = _questions or list(form.questions.order_by("order", "id"))
        by_id = {q.pk: q for q in questions}
        if sorted(ids) != sorted(by_id):
            raise ValidationError(_("Give every question of the form once."))
        position = {pk: n for n, pk in enumerate(ids)}
        for q in questions:
            if q.shown_if_question_id and position[q.shown_if_question_id] > position[q.pk]:
                raise ValidationError(
                    _("“%(text)s” depends on the answer to “%(parent)s” and must stay below it.")
                    % {"text": q.text, "parent": by_id[q.shown_if_question_id].text}
                )
        before = [q.pk for q in questions]
        changed = []
        for n, pk in enumerate(ids):
            q = by_id[pk]
            if q.order != (n + 1) * 10:
                q.order = (n + 1) * 10
                changed.append(q)
        EvaluationQuestion.objects.bulk_update(changed, ["order"])
        if list(ids) != before:
            _record(
                "evaluation.questions_reordered",
                by=by,
                obj=form,
                form=form,
                before={"order": before},
                after={"order": list(ids)},
            )
    return [by_id[pk] for pk in ids]


# --- forms -------------------------------------------------------------------------------------


def _create_form(activity, *, by, **fields) -> EvaluationForm:
    try:
        with transaction.atomic():
            form = EvaluationForm.objects.create(activity=activity, **fields)
            _record(
                "evaluation.form_created",
                by=by,
                obj=form,
                form=form,
                after={k: v for k, v in fields.items() if k != "session"}
                | {"session": fields["session"].pk if fields.get("session") else None},
            )
    except IntegrityError:
        raise ValidationError(_("This form exists already.")) from None
    return form


def create_session_form(session, *, by, title: str = "") -> EvaluationForm:
    """An optional evaluation of one session (kind SESSION, not required for credit)."""
    activity = session.activity
    _check_build(by, activity)
    if EvaluationForm.objects.filter(session=session, kind=FormKind.SESSION).exists():
        raise ValidationError(_("This session has an evaluation form already."))
    return _create_form(
        activity,
        by=by,
        session=session,
        kind=FormKind.SESSION,
        title=title.strip() or _("Evaluation of %(title)s") % {"title": session.title},
        required_for_credit=False,
    )


FOLLOW_UP_QUESTIONS = (
    {
        "kind": QuestionKind.SINGLE,
        "text": "Have you made the change in practice you intended after this activity?",
        "choices": ["Yes, fully", "Partly", "Not yet", "I did not plan a change"],
    },
    {
        "kind": QuestionKind.TEXT,
        "text": "What helped you, or what got in the way?",
        "required": False,
    },
)


def create_follow_up_form(
    activity, *, by, send_after_days: int = DEFAULT_FOLLOW_UP_DAYS, title: str = ""
) -> EvaluationForm:
    """The follow-up survey, e-mailed `send_after_days` after the activity ends to each learner
    who submitted the activity evaluation; it asks what changed in practice [C8].

    Starts with two questions (made the change? what helped or got in the way?) that
    staff may change like any other.
    """
    _check_build(by, activity)
    _validate_days(send_after_days)
    if EvaluationForm.objects.filter(
        activity=activity, kind=FormKind.FOLLOW_UP, session__isnull=True
    ).exists():
        raise ValidationError(_("This activity has a follow-up survey already."))
    with transaction.atomic():
        form = _create_form(
            activity,
            by=by,
            kind=FormKind.FOLLOW_UP,
            title=title.strip() or _("Follow-up: %(title)s") % {"title": activity.title},
            send_after_days=send_after_days,
            required_for_credit=False,
        )
        for spec in FOLLOW_UP_QUESTIONS:
            add_question(form, by=by, **spec)
    return form


def _validate_days(days: int | None) -> None:
    if days is None or not (1 <= int(days) <= 365):
        raise ValidationError(
            {"send_after_days": _("Send the survey between 1 and 365 days after the activity.")}
        )


def update_form(form: EvaluationForm, *, by, **changes: Any) -> EvaluationForm:
    """Change a form's title, introduction, whether it is open, and (follow-up) its delay.

    Audit "evaluation.form_changed".
    """
    _check_build(by, form.activity)
    unknown = set(changes) - set(FORM_FIELDS)
    if unknown:
        raise ValueError(f"not form fields: {sorted(unknown)}")
    errors: dict[str, str] = {}
    title = (changes.get("title", form.title) or "").strip()
    if not title:
        errors["title"] = _("Give the form a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("A title has at most %(n)d characters.") % {"n": TITLE_MAX}
    introduction = (changes.get("introduction", form.introduction) or "").strip()
    if len(introduction) > INTRO_MAX:
        errors["introduction"] = _("The introduction has at most %(n)d characters.") % {
            "n": INTRO_MAX
        }
    if errors:
        raise ValidationError(errors)
    send_after_days = changes.get("send_after_days", form.send_after_days)
    if form.kind == FormKind.FOLLOW_UP:
        _validate_days(send_after_days)
    else:
        send_after_days = None
    before = audit.snapshot(form, FORM_FIELDS)
    form.title = title
    form.introduction = introduction
    form.is_open = bool(changes.get("is_open", form.is_open))
    form.send_after_days = send_after_days
    with transaction.atomic():
        form.save()
        after = audit.snapshot(form, FORM_FIELDS)
        if after != before:
            _record(
                "evaluation.form_changed", by=by, obj=form, form=form, before=before, after=after
            )
    return form


def delete_form(form: EvaluationForm, *, by) -> None:
    """Delete a session form or follow-up survey that nobody answered yet.

    The activity form stays: credit waits for it [E3][B3]. Audit "evaluation.form_deleted".
    """
    _check_build(by, form.activity)
    if form.kind == FormKind.ACTIVITY:
        raise ValidationError(_("The activity evaluation cannot be deleted; close it instead."))
    with transaction.atomic():
        locked = lock_form(form)
        if locked.responses.exists():
            raise ValidationError(
                _("Learners have already answered this form; close it instead of deleting it.")
            )
        _record(
            "evaluation.form_deleted",
            by=by,
            obj=form,
            form=form,
            before={"kind": form.kind, "title": form.title, "session": form.session_id},
        )
        form.invitations.all().delete()
        form.questions.filter(shown_if_question__isnull=False).delete()
        form.questions.all().delete()
        form.delete()
