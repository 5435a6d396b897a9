"""Check-in: scans sent by scanner devices, what each answered, counts and the name search.

Writing serializers only shape the input; checkin.services decides what a scan
means (admitted, repeat, refused) and what is malformed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cmeconf.api.serializers.fields import ActivityDateTimeField, StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField
from cmeconf.checkin.choices import ScanKind, ScanResult
from cmeconf.checkin.services import METHODS
from cmeconf.registration.choices import RegistrationStatus

# An offline device flushes its queue in pieces of at most this many scans.
BATCH_MAX = 200
KEY_MAX = 100

METHOD_LABELS = {
    "badge": _("The badge's QR code was scanned"),
    "search": _("Staff found the person by name"),
    "kiosk": _("The person checked in at a kiosk"),
}
# The service's list decides; a method added there without a label fails at import.
METHOD_CHOICES = [(method, METHOD_LABELS[method]) for method in METHODS]


class ScanWriteSerializer(StrictInputMixin, serializers.Serializer):
    token = serializers.CharField(
        required=False, max_length=500, trim_whitespace=True, allow_blank=True,
        help_text="The text of the badge's QR code. Send this or registration.",
    )  # fmt: skip
    registration = serializers.IntegerField(
        required=False, min_value=1, max_value=2_147_483_647,
        help_text="The id of a registrant found with checkin/search/ (method search).",
    )  # fmt: skip
    kind = NamedChoiceField(ScanKind.choices, enum_name="ScanKindEnum")
    session = serializers.CharField(
        required=False, max_length=6, allow_blank=True,
        help_text="The session's code; for in and out only.",
    )  # fmt: skip
    scanned_at = ActivityDateTimeField(
        required=False,
        help_text="When the badge was read (queued scans: the time on the device). "
        "Default: when the server receives it. Not in the future, not before the conference.",
    )
    device = serializers.CharField(
        required=False, max_length=100, allow_blank=True, default="",
        help_text="A name for the scanner, e.g. \"door-b-ipad\"; shown to staff.",
    )  # fmt: skip
    method = NamedChoiceField(METHOD_CHOICES, enum_name="ScanMethodEnum", default="badge")

    def validate(self, attrs: dict) -> dict:
        if "token" in attrs and "registration" in attrs:
            raise serializers.ValidationError(
                {"registration": [_("Send a badge token or a registration, not both.")]}
            )
        return attrs


class BatchScanWriteSerializer(ScanWriteSerializer):
    idempotency_key = serializers.CharField(
        max_length=KEY_MAX,
        help_text="Unique per scan and per scanner account, made on the device when the scan "
        "was taken (a UUID). Sending it again answers the first outcome.",
    )


class ScanPersonSerializer(serializers.Serializer):
    registration = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()
    registration_type = serializers.CharField(source="registration_type.name")
    status = NamedChoiceField(RegistrationStatus.choices, enum_name="RegistrationStatusEnum")

    def get_name(self, registration) -> str:
        return registration.person.get_full_name() or registration.person.email


class ScanOutcomeSerializer(serializers.Serializer):
    """What a scanner shows: reads a checkin.services.ScanOutcome."""

    id = serializers.IntegerField(source="scan.pk")
    kind = NamedChoiceField(ScanKind.choices, enum_name="ScanKindEnum", source="scan.kind")
    session = serializers.CharField(source="scan.session.code", allow_null=True, default=None)
    result = NamedChoiceField(ScanResult.choices, enum_name="ScanResultEnum")
    admitted = serializers.BooleanField(help_text="Let the person in (ok and repeat).")
    message = serializers.CharField(help_text="Show this in large letters.")
    person = ScanPersonSerializer(
        source="scan.registration", allow_null=True,
        help_text="Whose badge it was; null for an unknown badge or one of another conference.",
    )  # fmt: skip
    amount_due = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True,
        help_text="Still to pay at the desk; the person is admitted all the same.",
    )  # fmt: skip
    scanned_at = ActivityDateTimeField(source="scan.scanned_at")
    replayed = serializers.BooleanField(
        help_text="True when this Idempotency-Key was already used: the first scan's answer."
    )


class BatchItemSerializer(serializers.Serializer):
    status = serializers.IntegerField(
        help_text="201 recorded, 200 replayed (recorded before), 400 malformed (not recorded)."
    )
    idempotency_key = serializers.CharField(allow_null=True)
    scan = ScanOutcomeSerializer(allow_null=True)
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), allow_null=True,
        help_text="Why the scan was not recorded, by field.",
    )  # fmt: skip


class ScanSerializer(serializers.Serializer):
    """A scan in the list staff read back."""

    id = serializers.IntegerField(source="pk")
    kind = NamedChoiceField(ScanKind.choices, enum_name="ScanKindEnum")
    session = serializers.CharField(source="session.code", allow_null=True, default=None)
    result = NamedChoiceField(ScanResult.choices, enum_name="ScanResultEnum")
    admitted = serializers.SerializerMethodField()
    person = ScanPersonSerializer(source="registration", allow_null=True)
    scanned_at = ActivityDateTimeField()
    received_at = ActivityDateTimeField()
    device = serializers.CharField()
    method = NamedChoiceField(METHOD_CHOICES, enum_name="ScanMethodEnum")
    recorded_by = serializers.SerializerMethodField()

    def get_admitted(self, scan) -> bool:
        return scan.result in (ScanResult.OK, ScanResult.REPEAT)

    def get_recorded_by(self, scan) -> str:
        return scan.recorded_by.get_full_name() or scan.recorded_by.email


class ScanFilterSerializer(StrictInputMixin, serializers.Serializer):
    session = serializers.CharField(
        required=False, max_length=6, help_text="Only the scans of this session (its code)."
    )
    kind = NamedChoiceField(ScanKind.choices, enum_name="ScanKindEnum", required=False)
    limit = serializers.IntegerField(required=False, min_value=0)
    offset = serializers.IntegerField(required=False, min_value=0)


class SessionCountSerializer(serializers.Serializer):
    code = serializers.CharField(source="session.code")
    title = serializers.CharField(source="session.title")
    start = ActivityDateTimeField(source="session.start")
    end = ActivityDateTimeField(source="session.end")
    present = serializers.IntegerField(help_text="Checked in and not out, while it runs.")
    checked_in = serializers.IntegerField(help_text="People who checked in at least once.")


class CountsSerializer(serializers.Serializer):
    expected = serializers.IntegerField(help_text="In-person registrants holding a seat.")
    checked_in = serializers.IntegerField(help_text="Of them, those who have arrived.")
    sessions = SessionCountSerializer(many=True)


class CountsFilterSerializer(StrictInputMixin, serializers.Serializer):
    day = serializers.DateField(
        required=False, help_text="Only the sessions of this day (in the activity's time zone)."
    )


class SearchFilterSerializer(StrictInputMixin, serializers.Serializer):
    q = serializers.CharField(
        max_length=100, help_text="Words of the name or e-mail address; all must match."
    )


class CheckinRegistrantSerializer(serializers.Serializer):
    registration = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()
    email = serializers.EmailField(source="person.email")
    registration_type = serializers.CharField(source="registration_type.name")
    status = NamedChoiceField(RegistrationStatus.choices, enum_name="RegistrationStatusEnum")
    checked_in_at = ActivityDateTimeField(allow_null=True)

    def get_name(self, registration) -> str:
        return registration.person.get_full_name() or registration.person.email
