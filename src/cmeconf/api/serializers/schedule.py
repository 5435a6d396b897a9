"""The whole program of an activity in one response."""

from __future__ import annotations

from rest_framework import serializers

from cmeconf.activities.models import Activity, Room, Session, SessionFaculty, Track
from cmeconf.api.serializers.fields import ActivityDateTimeField, ModelSerializer


class ScheduleActivitySerializer(ModelSerializer):
    class Meta:
        model = Activity
        fields = ["slug", "title", "time_zone", "start_date", "end_date", "program_version"]


class ScheduleRoomSerializer(ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "name", "description", "capacity"]


class ScheduleTrackSerializer(ModelSerializer):
    class Meta:
        model = Track
        fields = ["id", "name", "color"]


class ScheduleFacultySerializer(ModelSerializer):
    name = serializers.CharField(source="person.full_name")
    credentials = serializers.CharField(source="person.credentials")

    class Meta:
        model = SessionFaculty
        fields = ["name", "credentials", "role"]


class ScheduleSessionSerializer(ModelSerializer):
    room = serializers.IntegerField(source="room_id", allow_null=True, help_text="Room id.")
    track = serializers.IntegerField(source="track_id", allow_null=True, help_text="Track id.")
    start = ActivityDateTimeField()
    end = ActivityDateTimeField()
    topics = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    faculty = ScheduleFacultySerializer(many=True)

    class Meta:
        model = Session
        fields = [
            "code",
            "title",
            "format",
            "room",
            "track",
            "start",
            "end",
            "credit_eligible",
            "topics",
            "faculty",
        ]
        read_only_fields = fields


class ScheduleDaySerializer(serializers.Serializer):
    date = serializers.DateField(help_text="A day in the activity's time zone.")
    sessions = ScheduleSessionSerializer(many=True)


class ScheduleSerializer(serializers.Serializer):
    activity = ScheduleActivitySerializer()
    days = ScheduleDaySerializer(many=True)
    rooms = ScheduleRoomSerializer(many=True)
    tracks = ScheduleTrackSerializer(many=True)
