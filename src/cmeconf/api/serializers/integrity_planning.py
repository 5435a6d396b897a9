"""The planning file: checklist, review comments, amendments; what learners are shown."""

from __future__ import annotations

from rest_framework import serializers

from cmeconf.activities.choices import ActivityState
from cmeconf.api.serializers.fields import StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField, PersonNameField


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    source = serializers.CharField(help_text="The accreditation rule it answers, e.g. C1 or A6.")
    done = serializers.BooleanField()
    detail = serializers.CharField(help_text="What to do while not done; what was found once done.")
    required_for = serializers.CharField(
        help_text="The lifecycle step it must be done for: submit_for_review, approve, publish."
    )


class ReviewCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = PersonNameField()
    body = serializers.CharField()
    activity_state = serializers.ChoiceField(
        ActivityState.choices, help_text="The activity's state when the comment was made."
    )
    created = serializers.DateTimeField()
    resolved = serializers.SerializerMethodField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    resolved_by = PersonNameField()

    def get_resolved(self, comment) -> bool:
        return comment.resolved_at is not None


class ReviewCommentWriteSerializer(StrictInputMixin, serializers.Serializer):
    """A comment on the planning record's review thread."""

    body = serializers.CharField(allow_blank=True)


class AmendmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    summary = serializers.CharField(help_text="What changed.")
    reason = serializers.CharField()
    changes = serializers.JSONField(help_text="The state before and after the change.")
    made_by = PersonNameField()
    made_at = serializers.DateTimeField()
    activity_state = serializers.ChoiceField(ActivityState.choices)


# --- what learners are shown -------------------------------------------------------------------

STANDINGS = [
    ("no_relevant_relationships", "no relevant financial relationships"),
    ("mitigated", "relevant relationships, all mitigated"),
    ("under_review", "disclosure under review"),
    ("not_available", "disclosure not yet available"),
]


class LearnerPersonSerializer(serializers.Serializer):
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField(help_text="The line learners read about the person.")
    standing = NamedChoiceField(STANDINGS, enum_name="LearnerStandingEnum")


class LearnerSupporterSerializer(serializers.Serializer):
    company = serializers.CharField()
    text = serializers.CharField()


class LearnerDisclosureSerializer(serializers.Serializer):
    """Generated from disclosures, review and agreements, never typed [A6][A11][A21]."""

    accredited = serializers.BooleanField()
    statement = serializers.CharField()
    people = LearnerPersonSerializer(many=True)
    supporters_intro = serializers.CharField()
    supporters = LearnerSupporterSerializer(many=True)
    digest = serializers.CharField(help_text="Identifies this version of the text.")
    generated = serializers.DateTimeField()
