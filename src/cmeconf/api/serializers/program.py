"""Rooms, tracks, sessions and their faculty."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cmeconf.accounts.models import User
from cmeconf.activities.choices import FacultyRole, SessionFormat
from cmeconf.activities.models import Room, Session, SessionFaculty, Topic, Track
from cmeconf.activities.rules import WARNING_KINDS
from cmeconf.api.serializers.fields import ActivityDateTimeField, ModelSerializer, StrictInputMixin


def reason_field() -> serializers.CharField:
    """Why the change is made: required once the activity is approved (an amendment)."""
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why this change is made. Required once the activity is approved, published "
        "or completed: the change is then kept as an amendment with this reason.",
    )


class ReasonSerializer(StrictInputMixin, serializers.Serializer):
    """The reason for a removal (DELETE), from the query string or the body."""

    reason = reason_field()


class RoomSerializer(StrictInputMixin, ModelSerializer):
    reason = reason_field()

    class Meta:
        model = Room
        fields = ["id", "name", "capacity", "description", "kind", "order", "reason"]
        # The service reports a duplicate name by field; no second query here.
        validators: list = []


class TrackSerializer(StrictInputMixin, ModelSerializer):
    color = serializers.CharField(
        max_length=7,
        required=False,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour as #RRGGBB."))],
    )
    reason = reason_field()

    class Meta:
        model = Track
        fields = ["id", "name", "color", "order", "reason"]
        validators: list = []


class RoomRefSerializer(ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name"]


class TrackRefSerializer(ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name", "color"]


class SessionFacultySerializer(ModelSerializer):
    name = serializers.CharField(source="person.full_name")
    credentials = serializers.CharField(source="person.credentials")
    email = serializers.SerializerMethodField(
        help_text="Shown to the activity's team members only."
    )

    class Meta:
        model = SessionFaculty
        fields = ["name", "credentials", "email", "role"]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, obj: SessionFaculty) -> str | None:
        return obj.person.email if self.context.get("show_email") else None


class SessionSerializer(ModelSerializer):
    """A session as read back: by list, retrieve and after every write."""

    objectives = serializers.ListField(
        source="objective_list", child=serializers.CharField(), read_only=True
    )
    room = RoomRefSerializer(allow_null=True)
    track = TrackRefSerializer(allow_null=True)
    start = ActivityDateTimeField(allow_null=True)
    end = ActivityDateTimeField(allow_null=True)
    minutes = serializers.IntegerField()
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    faculty = SessionFacultySerializer(many=True)

    class Meta:
        model = Session
        fields = [
            "code",
            "title",
            "format",
            "abstract",
            "objectives",
            "track",
            "room",
            "start",
            "end",
            "minutes",
            "credit_eligible",
            "capacity",
            "topics",
            "faculty",
        ]
        read_only_fields = fields


class SessionFilterSerializer(serializers.Serializer):
    """The query parameters of the session list."""

    day = serializers.DateField(required=False, help_text="A day in the activity's time zone.")
    room = serializers.IntegerField(required=False, help_text="Room id.")
    track = serializers.IntegerField(required=False, help_text="Track id.")
    format = serializers.ChoiceField(SessionFormat.choices, required=False)
    topic = serializers.SlugField(required=False, help_text="Topic slug.")
    scheduled = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Only (un)scheduled sessions."
    )


class ScheduleWarningSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(WARNING_KINDS)
    sessions = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the sessions concerned."
    )
    message = serializers.CharField()


class SessionWriteResultSerializer(SessionSerializer):
    """The session after a write, with the schedule warnings that concern it."""

    warnings = ScheduleWarningSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def to_representation(self, instance: Session) -> dict:
        data = super().to_representation(instance)
        data["warnings"] = self.context.get("warnings", [])
        return data


class ObjectiveLinesField(serializers.ListField):
    """Learning objectives in, one per line in the model."""

    def to_internal_value(self, data) -> str:
        return "\n".join(line.strip() for line in super().to_internal_value(data) if line.strip())


def _scoped_related(serializer: serializers.Serializer) -> None:
    # Rooms, tracks and topics of other providers do not exist for this request; those of
    # another activity of the same provider reach the service, which says why it refuses them.
    activity = serializer.context.get("activity")
    if activity is None:
        return
    from cmeconf.activities.services.program import topics_for

    for name, model in (("room", Room), ("track", Track)):
        if name in serializer.fields:
            serializer.fields[name].queryset = model.objects.filter(
                activity__provider_id=activity.provider_id
            )
    if "topics" in serializer.fields:
        serializer.fields["topics"].child_relation.queryset = topics_for(activity)


class SessionWriteSerializer(StrictInputMixin, ModelSerializer):
    """Input of session create (title and format required) and PATCH."""

    objectives = ObjectiveLinesField(child=serializers.CharField(allow_blank=True), required=False)
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.none(), allow_null=True, required=False
    )
    track = serializers.PrimaryKeyRelatedField(
        queryset=Track.objects.none(), allow_null=True, required=False
    )
    start = ActivityDateTimeField(allow_null=True, required=False)
    end = ActivityDateTimeField(allow_null=True, required=False)
    topics = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Topic.objects.none(), required=False
    )
    format = serializers.ChoiceField(SessionFormat.choices)
    reason = reason_field()

    class Meta:
        model = Session
        fields = [
            "title",
            "format",
            "abstract",
            "objectives",
            "track",
            "room",
            "start",
            "end",
            "credit_eligible",
            "capacity",
            "topics",
            "reason",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _scoped_related(self)


class SessionMoveSerializer(StrictInputMixin, serializers.Serializer):
    start = ActivityDateTimeField(
        allow_null=True, help_text="New start; the session keeps its length. Null unschedules it."
    )
    room = serializers.PrimaryKeyRelatedField(
        queryset=Room.objects.none(),
        allow_null=True,
        required=False,
        help_text="New room; left out, the session stays in its room.",
    )
    reason = reason_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _scoped_related(self)


class FacultyAddSerializer(StrictInputMixin, serializers.Serializer):
    email = serializers.EmailField()
    first_name = serializers.CharField(
        max_length=100, required=False, default="", help_text="Used when the person is new."
    )
    last_name = serializers.CharField(
        max_length=100, required=False, default="", help_text="Used when the person is new."
    )
    role = serializers.ChoiceField(FacultyRole.choices, default=FacultyRole.SPEAKER)
    reason = reason_field()


class FacultySessionSerializer(ModelSerializer):
    code = serializers.CharField(source="session.code")
    title = serializers.CharField(source="session.title")

    class Meta:
        model = SessionFaculty
        fields = ["code", "title", "role"]


class FacultyMemberSerializer(ModelSerializer):
    """A person with a faculty role in the activity, with their sessions there."""

    name = serializers.CharField(source="full_name")
    email = serializers.SerializerMethodField(
        help_text="Shown to the activity's team members only."
    )
    # `activity_roles` is prefetched by the view: this activity's roles only.
    sessions = FacultySessionSerializer(source="activity_roles", many=True)

    class Meta:
        model = User
        fields = [
            "id",
            "name",
            "credentials",
            "institution",
            "specialty",
            "bio",
            "email",
            "sessions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_email(self, obj: User) -> str | None:
        return obj.email if self.context.get("show_email") else None
