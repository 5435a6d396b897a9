"""Activities, their lifecycle and their planning record."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cmeconf.accounts.rules import Profession
from cmeconf.activities import lifecycle
from cmeconf.activities.choices import EducationalNeed, GapSource, IntendedChange
from cmeconf.activities.models import Activity, PlanningRecord
from cmeconf.activities.services.activities import ACTIVITY_FIELDS, PLANNING_FIELDS
from cmeconf.api.serializers.fields import ModelSerializer, StrictInputMixin
from cmeconf.api.serializers.program import reason_field
from cmeconf.providers.permissions import Permission


class ActivityListSerializer(ModelSerializer):
    public_url = serializers.SerializerMethodField(
        help_text="The activity's public page; null while it is not public."
    )

    class Meta:
        model = Activity
        fields = [
            "slug",
            "title",
            "kind",
            "start_date",
            "end_date",
            "time_zone",
            "delivery",
            "state",
            "public_url",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_public_url(self, obj: Activity) -> str | None:
        if not obj.is_public:
            return None
        return self.context["request"].build_absolute_uri(obj.get_absolute_url())


class TransitionStateSerializer(serializers.Serializer):
    name = serializers.ChoiceField(list(lifecycle.TRANSITIONS))
    label = serializers.CharField()
    permission = serializers.ChoiceField(Permission.choices)
    allowed = serializers.BooleanField(help_text="Your teams grant the step's permission.")
    blockers = serializers.ListField(
        child=serializers.CharField(), help_text="Why the step cannot be taken now."
    )


class ActivityDetailSerializer(ActivityListSerializer):
    permissions = serializers.SerializerMethodField(
        help_text="What your teams allow for this activity (empty for the public)."
    )
    transitions = serializers.SerializerMethodField(
        help_text="Lifecycle steps from the current state (shown to team members only)."
    )

    class Meta(ActivityListSerializer.Meta):
        fields = [
            *ActivityListSerializer.Meta.fields,
            "description",
            "venue_name",
            "venue_address",
            "target_professions",
            "target_specialties",
            "joint_provider",
            "published_at",
            "program_version",
            "created",
            "updated",
            "permissions",
            "transitions",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Permission.choices)))
    def get_permissions(self, obj: Activity) -> list[str]:
        return sorted(self.context.get("perms", ()))

    @extend_schema_field(TransitionStateSerializer(many=True))
    def get_transitions(self, obj: Activity) -> list[dict]:
        if not self.context.get("is_staff"):
            return []
        perms = self.context.get("perms", ())
        today = timezone.localdate(timezone=obj.tz)
        return [
            {
                "name": step.name,
                "label": str(step.label),
                "permission": step.permission,
                "allowed": step.permission in perms,
                "blockers": lifecycle.blockers(obj, step, today=today),
            }
            for step in lifecycle.available(obj)
        ]


class ActivityWriteSerializer(StrictInputMixin, ModelSerializer):
    """Input of create (all required fields) and PATCH (any of them)."""

    target_professions = serializers.ListField(
        child=serializers.ChoiceField(Profession.choices), required=False
    )
    target_specialties = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False
    )
    reason = reason_field()

    class Meta:
        model = Activity
        fields = [*ACTIVITY_FIELDS, "reason"]

    def validate(self, attrs: dict) -> dict:
        # The database refuses this too, but only with the constraint's name.
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError(
                {"end_date": [_("The last day cannot be before the first day.")]}
            )
        return attrs


class TransitionInputSerializer(StrictInputMixin, serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Kept in the audit trail."
    )


class TransitionErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    blockers = serializers.ListField(child=serializers.CharField())


class ObjectivesField(serializers.ListField):
    """The activity's learning objectives as a list of texts."""

    def get_attribute(self, instance: PlanningRecord) -> list[str]:
        return [o.text for o in instance.activity.objectives.all()]


class PlanningSerializer(StrictInputMixin, ModelSerializer):
    """The planning record with the activity's learning objectives, read and PATCHed alike."""

    gap_sources = serializers.ListField(
        child=serializers.ChoiceField(GapSource.choices), required=False
    )
    educational_needs = serializers.ListField(
        child=serializers.ChoiceField(EducationalNeed.choices), required=False
    )
    intended_change = serializers.ListField(
        child=serializers.ChoiceField(IntendedChange.choices), required=False
    )
    objectives = ObjectivesField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        help_text="The learning objectives in order; a PATCH replaces them all.",
    )
    reason = reason_field()

    class Meta:
        model = PlanningRecord
        fields = [*PLANNING_FIELDS, "objectives", "updated", "reason"]
        read_only_fields = ["updated"]
