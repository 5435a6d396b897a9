"""The questions every accredited activity asks, and the activity form that holds them.

The ACCME asks the provider to analyse the change its activities bring about
[C8] and to keep the education free of commercial bias [A4]; EACCME and the
ABMS boards make the evaluation a condition of credit [E3][B3]. So every
activity form carries four questions that staff cannot delete or reword:

- objectives met: a rating from 1 ("not met") to 5 ("fully met"). A rating,
  not yes/partly/no, so that results give a mean that can be compared from one
  activity (and one year) to the next [C8];
- intent to change practice: a commitment to change, in the learner's words:
  what will you change [C8];
- content free of commercial bias: yes or no [A4];
- where the bias was seen: a comment, shown and required only when the answer
  was "no" [A4].

Their wording is fixed (it is what the accreditor reads in the activity file,
and answers across activities must mean the same); staff may only move them
among their own questions. `ensure_activity_form` creates the form and any
missing standard question, and does nothing else when called again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cmeconf.common import audit
from cmeconf.evaluations.models import (
    EvaluationForm,
    EvaluationQuestion,
    FormKind,
    QuestionKind,
    StandardQuestion,
)

YES = "Yes"
NO = "No"


@dataclass(frozen=True)
class StandardSpec:
    key: str
    kind: str
    text: str
    help_text: str = ""
    choices: list[str] = field(default_factory=list)
    scale_min: int = 1
    scale_max: int = 5
    required: bool = True
    shown_if: str = ""  # the standard key of the question it depends on
    shown_if_values: list[str] = field(default_factory=list)


# Stored texts are English and fixed, like every answer value: results and exports
# compare them across activities. [C8][A4]
STANDARD_SPECS: tuple[StandardSpec, ...] = (
    StandardSpec(
        key=StandardQuestion.OBJECTIVES_MET,
        kind=QuestionKind.RATING,
        text="How well were the learning objectives of this activity met?",
        help_text="1 = not met, 5 = fully met.",
        choices=["Not met", "Fully met"],
        scale_min=1,
        scale_max=5,
    ),
    StandardSpec(
        key=StandardQuestion.INTENT_TO_CHANGE,
        kind=QuestionKind.COMMITMENT,
        text="What will you change in your practice as a result of this activity?",
        help_text=(
            "Describe one or more concrete changes. If you will change nothing, say why "
            "(for example: you already do this)."
        ),
    ),
    StandardSpec(
        key=StandardQuestion.FREE_OF_BIAS,
        kind=QuestionKind.SINGLE,
        text="Was the content free of commercial bias?",
        help_text=(
            "Commercial bias: content that promotes the products or interests of a company "
            "that makes or sells healthcare products."
        ),
        choices=[YES, NO],
    ),
    StandardSpec(
        key=StandardQuestion.BIAS_COMMENT,
        kind=QuestionKind.TEXT,
        text="Where did you see commercial bias?",
        help_text="Name the session or speaker and what seemed biased.",
        shown_if=StandardQuestion.FREE_OF_BIAS,
        shown_if_values=[NO],
    ),
)

SPECS_BY_KEY = {spec.key: spec for spec in STANDARD_SPECS}


def is_standard(question: EvaluationQuestion) -> bool:
    return bool(question.standard)


def activity_form(activity) -> EvaluationForm | None:
    """The activity's evaluation form, if it was created."""
    return EvaluationForm.objects.filter(
        activity=activity, kind=FormKind.ACTIVITY, session__isnull=True
    ).first()


def ensure_activity_form(activity, *, by=None) -> EvaluationForm:
    """The activity's evaluation form, with every standard question; created when missing.

    Idempotent: a second call finds the form and the questions and changes nothing.
    Side effects when something is missing: the form (kind ACTIVITY, required for
    credit) and/or the missing standard questions, each with an audit entry
    "evaluation.form_created" / "evaluation.question_added" [C8][A4].
    """
    form = activity_form(activity)
    if form is None:
        try:
            with transaction.atomic():
                form = EvaluationForm.objects.create(
                    activity=activity,
                    kind=FormKind.ACTIVITY,
                    title=_("Evaluation of %(title)s") % {"title": activity.title},
                    required_for_credit=True,
                )
                audit.record(
                    "evaluation.form_created",
                    actor=by,
                    obj=form,
                    after={"kind": form.kind, "title": form.title, "required_for_credit": True},
                    provider_id=activity.provider_id,
                    activity_id=activity.pk,
                )
        except IntegrityError:
            # Someone else created it at the same moment: use theirs.
            form = activity_form(activity)
            assert form is not None
    _ensure_standard_questions(form, by=by)
    return form


def _ensure_standard_questions(form: EvaluationForm, *, by=None) -> None:
    with transaction.atomic():
        # Lock the form so two first visits do not both add the questions.
        EvaluationForm.objects.select_for_update().order_by().filter(pk=form.pk).first()
        existing = {q.standard: q for q in form.questions.exclude(standard="")}
        if len(existing) == len(STANDARD_SPECS):
            return
        last = form.questions.order_by("-order").values_list("order", flat=True).first() or 0
        for spec in STANDARD_SPECS:
            if spec.key in existing:
                continue
            last += 10
            question = EvaluationQuestion.objects.create(
                form=form,
                order=last,
                kind=spec.kind,
                text=spec.text,
                help_text=spec.help_text,
                choices=list(spec.choices),
                scale_min=spec.scale_min,
                scale_max=spec.scale_max,
                required=spec.required,
                standard=spec.key,
                shown_if_question=existing.get(spec.shown_if) if spec.shown_if else None,
                shown_if_values=list(spec.shown_if_values),
            )
            existing[spec.key] = question
            audit.record(
                "evaluation.question_added",
                actor=by,
                obj=question,
                after={"form": form.pk, "standard": spec.key, "kind": spec.kind},
                provider_id=form.activity.provider_id,
                activity_id=form.activity_id,
            )
