"""Attendance: minutes per learner, the intervals behind them, report imports, adjustments."""

from __future__ import annotations

import zoneinfo

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cmeconf.api.serializers.fields import ActivityDateTimeField, StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField, PersonNameField
from cmeconf.attendance.choices import AttendanceSource
from cmeconf.attendance.services import IMPORT_SOURCES

# Participant reports are small CSV files; anything far larger is not one.
MAX_REPORT_BYTES = 10 * 1024 * 1024


class IntervalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = ActivityDateTimeField()
    end = ActivityDateTimeField()
    source = NamedChoiceField(AttendanceSource.choices, enum_name="AttendanceSourceEnum")
    source_import = serializers.IntegerField(source="source_import_id", allow_null=True)
    device = serializers.CharField()
    reason = serializers.CharField(help_text="Why staff added it (adjustments).")
    recorded_by = PersonNameField()
    recorded_at = ActivityDateTimeField()
    voided = serializers.SerializerMethodField(help_text="Voided intervals count no minutes.")
    voided_at = ActivityDateTimeField(allow_null=True)
    void_reason = serializers.CharField()

    def get_voided(self, interval) -> bool:
        return interval.voided_at is not None


class LearnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()


class LearnerAttendanceSerializer(serializers.Serializer):
    """One learner's minutes at the session: every source merged, clipped to the session."""

    person = LearnerRefSerializer()
    minutes = serializers.IntegerField()
    intervals = IntervalSerializer(many=True)


class AttendanceFilterSerializer(StrictInputMixin, serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text="Words of the name or e-mail."
    )
    limit = serializers.IntegerField(required=False, min_value=1)
    offset = serializers.IntegerField(required=False, min_value=0)


class UnmatchedRowSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text="The line of the file.")
    name = serializers.CharField()
    email = serializers.CharField(help_text="Empty when the report gave none.")


class ImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = NamedChoiceField(AttendanceSource.choices, enum_name="AttendanceSourceEnum")
    filename = serializers.CharField()
    sha256 = serializers.CharField()
    imported_by = PersonNameField()
    imported_at = ActivityDateTimeField()
    matched = serializers.IntegerField(help_text="People matched to an account by e-mail.")
    unmatched = UnmatchedRowSerializer(
        many=True, help_text="Rows that matched no account: nothing was recorded for them."
    )


class ImportUploadSerializer(StrictInputMixin, serializers.Serializer):
    """A participant report as exported from Zoom or Microsoft Teams."""

    file = serializers.FileField(help_text="The CSV file as exported.")
    source = NamedChoiceField(
        [(s.value, s.label) for s in AttendanceSource if s in IMPORT_SOURCES],
        enum_name="ReportSourceEnum",
    )
    time_zone = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="The time zone of the report's times (the Zoom account's, or that of whoever "
        "downloaded the Teams report), e.g. America/Chicago; the activity's when empty.",
    )

    def validate_file(self, value):
        if value.size > MAX_REPORT_BYTES:
            raise serializers.ValidationError(_("The file is larger than 10 MB."))
        return value

    def validate_time_zone(self, value: str):
        value = value.strip()
        if not value:
            return None
        try:
            return zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(
                _("Unknown time zone; give a name such as America/Chicago.")
            ) from None


class AdjustmentSerializer(StrictInputMixin, serializers.Serializer):
    """A stretch of presence that no source recorded, with the reason."""

    email = serializers.EmailField(help_text="The e-mail address of a registrant.")
    start = ActivityDateTimeField(help_text="Without an offset: the activity's time zone.")
    end = ActivityDateTimeField(help_text="Without an offset: the activity's time zone.")
    reason = serializers.CharField(allow_blank=True, help_text="Why the adjustment is made.")


class IntervalVoidSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why the interval stops counting.")
