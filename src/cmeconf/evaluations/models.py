"""Evaluation forms, their questions, and what learners answered.

An accredited activity asks every learner whether the objectives were met,
whether they intend to change, and whether the content was free of commercial
bias (with a comment when it was not) [C8][A4]; credit waits for the evaluation
(docs/credits/sources.md: EACCME and MOC require it
[E3][B3]). A provider adds its own questions per activity and per session, and a
follow-up survey some weeks later asks what changed in practice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FormKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity evaluation")
    SESSION = "session", _("Session evaluation")
    FOLLOW_UP = "follow_up", _("Follow-up survey")


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating scale")
    SINGLE = "single", _("One choice")
    MULTIPLE = "multiple", _("Several choices")
    TEXT = "text", _("Free text")
    COMMITMENT = "commitment", _("Commitment to change")


class StandardQuestion(models.TextChoices):
    """The questions every accredited activity asks; they cannot be removed."""

    OBJECTIVES_MET = "objectives_met", _("Objectives met")
    INTENT_TO_CHANGE = "intent_to_change", _("Intent to change practice")
    FREE_OF_BIAS = "free_of_bias", _("Free of commercial bias")
    BIAS_COMMENT = "bias_comment", _("Where bias was seen")


class EvaluationForm(models.Model):
    """One form: the activity's evaluation, a session's, or the follow-up survey."""

    activity = models.ForeignKey(
        "activities.Activity", on_delete=models.CASCADE, related_name="evaluation_forms"
    )
    session = models.ForeignKey(
        "activities.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluation_forms",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FormKind.choices)
    title = models.CharField(_("title"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)
    # Only the activity form gates a claim; session forms are optional feedback.
    required_for_credit = models.BooleanField(_("required before claiming credit"), default=False)
    # Follow-up survey: sent this many days after the activity ends.
    send_after_days = models.PositiveSmallIntegerField(
        _("days after the activity"), null=True, blank=True
    )
    is_open = models.BooleanField(_("open for answers"), default=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["activity", "kind", "session__start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "kind"],
                condition=models.Q(session__isnull=True),
                name="one_activity_form_per_kind",
            ),
            models.UniqueConstraint(
                fields=["session", "kind"],
                condition=models.Q(session__isnull=False),
                name="one_session_form_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvaluationQuestion(models.Model):
    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=500)
    help_text = models.CharField(_("help"), max_length=300, blank=True)
    # Choice questions: the options, in order. Rating: the labels of the two ends.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    scale_min = models.PositiveSmallIntegerField(default=1)
    scale_max = models.PositiveSmallIntegerField(default=5)
    required = models.BooleanField(_("an answer is required"), default=True)
    standard = models.CharField(
        max_length=20, choices=StandardQuestion.choices, blank=True, editable=False
    )
    # A question shown only when another was answered with one of these values
    # (the bias comment, when the content was not free of bias).
    shown_if_question = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="dependents"
    )
    shown_if_values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["form", "order", "id"]

    def __str__(self) -> str:
        return self.text


class EvaluationResponse(models.Model):
    """One learner's submitted answers to one form; submitted once, never edited."""

    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="responses")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_responses"
    )
    submitted_at = models.DateTimeField()
    # Seconds from opening the form to submitting it: ANCC counts evaluation time [N1].
    seconds_spent = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["form", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["form", "person"], name="one_response_per_form")
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.form}"


class EvaluationAnswer(models.Model):
    response = models.ForeignKey(
        EvaluationResponse, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        EvaluationQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    # Rating: the number; single: the choice text; multiple: list of choice texts.
    value = models.JSONField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["response", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.value if self.value is not None else self.text}"


class FollowUpInvitation(models.Model):
    """A follow-up survey e-mailed to one learner; sent once."""

    form = models.ForeignKey(EvaluationForm, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["form", "person"], name="one_follow_up_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.form} to {self.person}"
