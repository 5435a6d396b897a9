"""Whether a learner has done the evaluation that credit waits for [E3][B3]."""

from __future__ import annotations

from cmeconf.evaluations.models import EvaluationForm, EvaluationResponse


def required_forms(activity) -> list[EvaluationForm]:
    return list(EvaluationForm.objects.filter(activity=activity, required_for_credit=True))


def evaluation_done(activity, person) -> bool:
    """True when `person` has submitted every form of the activity required for credit."""
    forms = required_forms(activity)
    if not forms:
        return True
    answered = EvaluationResponse.objects.filter(form__in=forms, person=person).count()
    return answered == len(forms)


def evaluation_submitted_at(activity, person):
    """When the learner submitted the last required form (MOC reporting counts from it [B1])."""
    return (
        EvaluationResponse.objects.filter(
            form__activity=activity, form__required_for_credit=True, person=person
        )
        .order_by("-submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
