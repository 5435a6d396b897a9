"""Evaluations: forms and their questions (staff), results, and answering (learners).

Every activity form carries the four standard questions [C8][A4] (objectives met,
intent to change, free of commercial bias, where bias was seen); they are marked by
`standard` and cannot be changed or deleted. Results never name a learner.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cmeconf.api.serializers.fields import ActivityDateTimeField, StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField
from cmeconf.evaluations import builder
from cmeconf.evaluations.models import FormKind, QuestionKind, StandardQuestion


def _kind(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(QuestionKind.choices, enum_name="EvaluationQuestionKindEnum", **kwargs)


def _form_kind(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(FormKind.choices, enum_name="EvaluationFormKindEnum", **kwargs)


STANDARD_CHOICES = [("", "Not a standard question"), *StandardQuestion.choices]


class EvaluationQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    kind = _kind()
    text = serializers.CharField()
    help_text = serializers.CharField()
    choices = serializers.ListField(
        child=serializers.CharField(),
        help_text="Choice questions: the options in order. Rating: the labels of the two ends "
        "(lowest first), or none.",
    )
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    required = serializers.BooleanField()
    standard = serializers.CharField(
        help_text="The standard question it is (objectives_met, intent_to_change, free_of_bias, "
        "bias_comment), empty for the provider's own. Standard questions cannot be changed or "
        "deleted, only moved."
    )
    shown_if_question = serializers.IntegerField(
        source="shown_if_question_id",
        allow_null=True,
        help_text="Shown only when this question was answered with one of shown_if_values.",
    )
    shown_if_values = serializers.ListField(child=serializers.CharField())


class EvaluationSessionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class EvaluationFormSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = _form_kind()
    title = serializers.CharField()
    introduction = serializers.CharField()
    session = EvaluationSessionSerializer(allow_null=True, help_text="Session forms only.")
    required_for_credit = serializers.BooleanField(
        help_text="Only the activity evaluation gates a credit claim."
    )
    send_after_days = serializers.IntegerField(
        allow_null=True, help_text="Follow-up survey: e-mailed this many days after the activity."
    )
    is_open = serializers.BooleanField()
    responses = serializers.IntegerField(help_text="How many learners submitted it.")
    created = ActivityDateTimeField()
    updated = ActivityDateTimeField()


class EvaluationFormDetailSerializer(EvaluationFormSerializer):
    questions = EvaluationQuestionSerializer(many=True)


FORM_KINDS_TO_ADD = [
    (FormKind.SESSION.value, FormKind.SESSION.label),
    (FormKind.FOLLOW_UP.value, FormKind.FOLLOW_UP.label),
]


class EvaluationFormCreateSerializer(StrictInputMixin, serializers.Serializer):
    """A session evaluation or the follow-up survey (the activity form always exists)."""

    kind = NamedChoiceField(FORM_KINDS_TO_ADD, enum_name="EvaluationFormKindToAddEnum")
    session = serializers.CharField(
        required=False, help_text="The session's code; for a session evaluation."
    )
    title = serializers.CharField(
        required=False, allow_blank=True, max_length=builder.TITLE_MAX, default=""
    )
    send_after_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=365,
        help_text=f"Follow-up survey only; {builder.DEFAULT_FOLLOW_UP_DAYS} unless given.",
    )

    def validate(self, data: dict) -> dict:
        if data["kind"] == FormKind.SESSION:
            if not data.get("session"):
                raise serializers.ValidationError({"session": [_("Choose the session.")]})
            if "send_after_days" in data:
                raise serializers.ValidationError(
                    {"send_after_days": [_("Only the follow-up survey is sent later.")]}
                )
        elif data.get("session"):
            raise serializers.ValidationError(
                {"session": [_("The follow-up survey is about the whole activity.")]}
            )
        return data


class EvaluationFormUpdateSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True)
    introduction = serializers.CharField(required=False, allow_blank=True)
    is_open = serializers.BooleanField(required=False)
    send_after_days = serializers.IntegerField(
        required=False, allow_null=True, help_text="Follow-up survey only."
    )


class EvaluationQuestionWriteSerializer(StrictInputMixin, serializers.Serializer):
    kind = _kind()
    text = serializers.CharField(allow_blank=True)
    help_text = serializers.CharField(required=False, allow_blank=True, default="")
    choices = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, default=list
    )
    scale_min = serializers.IntegerField(required=False, default=1)
    scale_max = serializers.IntegerField(required=False, default=5)
    required = serializers.BooleanField(required=False, default=True)


class EvaluationQuestionMoveSerializer(StrictInputMixin, serializers.Serializer):
    direction = NamedChoiceField(
        [("up", "One place up"), ("down", "One place down")],
        enum_name="QuestionMoveDirectionEnum",
    )


# --- results -----------------------------------------------------------------------------------


class EvaluationOptionCountSerializer(serializers.Serializer):
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.FloatField(
        help_text="Share of the learners who answered the question (several choices: past 100)."
    )


class EvaluationQuestionResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="question.pk")
    text = serializers.CharField(source="question.text")
    kind = _kind(source="question.kind")
    standard = serializers.CharField(source="question.standard")
    answered = serializers.IntegerField()
    options = EvaluationOptionCountSerializer(
        many=True, source="bars", help_text="Ratings and choice questions: one row per option."
    )
    mean = serializers.FloatField(allow_null=True, help_text="Ratings only.")
    texts = serializers.ListField(
        child=serializers.CharField(), help_text="Free text and commitments: what was written."
    )


class BiasReportSerializer(serializers.Serializer):
    response_number = serializers.IntegerField(
        help_text="The response's anonymous number (1, 2, ... in the order of submission)."
    )
    comment = serializers.CharField()


class EvaluationResultsSerializer(serializers.Serializer):
    form = EvaluationFormSerializer()
    responses = serializers.IntegerField()
    mean_seconds = serializers.FloatField(
        allow_null=True, help_text="Mean time spent on the form, where it was measured."
    )
    bias_reports = BiasReportSerializer(
        many=True, help_text="Responses that found commercial bias, first so they are acted on."
    )
    questions = EvaluationQuestionResultSerializer(many=True)


# --- learners ----------------------------------------------------------------------------------


class MyEvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = _form_kind()
    title = serializers.CharField()
    session = EvaluationSessionSerializer(allow_null=True)
    required_for_credit = serializers.BooleanField()
    submitted_at = ActivityDateTimeField(
        allow_null=True, help_text="When you submitted it; null while not done."
    )
    open = serializers.BooleanField(help_text="Whether it takes answers now.")
    closed_reason = serializers.CharField(help_text="Why it takes no answers now; empty if open.")


class MyEvaluationQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = _kind()
    text = serializers.CharField()
    help_text = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    scale_min = serializers.IntegerField()
    scale_max = serializers.IntegerField()
    required = serializers.BooleanField()
    shown_if_question = serializers.IntegerField(source="shown_if_question_id", allow_null=True)
    shown_if_values = serializers.ListField(child=serializers.CharField())


class MyEvaluationDetailSerializer(MyEvaluationSerializer):
    introduction = serializers.CharField()
    questions = MyEvaluationQuestionSerializer(many=True)
    opened = serializers.CharField(
        help_text="Send it back with your answers: the time spent on the form counts from it."
    )


class EvaluationAnswersSerializer(StrictInputMixin, serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text="By question id: a number (rating), one option's text (one choice), a list of "
        "options (several choices) or text (free text, commitment).",
    )
    opened = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationSubmittedSerializer(serializers.Serializer):
    form = serializers.IntegerField(source="form_id")
    submitted_at = ActivityDateTimeField()
    seconds_spent = serializers.IntegerField(allow_null=True)
