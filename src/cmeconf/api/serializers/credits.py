"""Credit: the provider's credit types, an activity's designations and claim window, claims,
the learner's transcript and certificates.

Input serializers only shape the request; the services in cmeconf.credits and
cmeconf.licensure.transcripts decide (and raise their errors by field).
"""

from __future__ import annotations

from rest_framework import serializers

from cmeconf.api.serializers.fields import ActivityDateTimeField, StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField, PersonNameField
from cmeconf.credits.models import ClaimStatus
from cmeconf.credits.types import REGISTRY
from cmeconf.licensure import vocabulary

CREDIT_TYPE_CHOICES = [(code, rule.label) for code, rule in REGISTRY.items()]
# The transcript also lists credit the learner recorded, in the licensure vocabulary.
TRANSCRIPT_TYPE_CHOICES = CREDIT_TYPE_CHOICES + [
    (code, str(label)) for code, label in vocabulary.CREDIT_TYPES.items() if code not in REGISTRY
]
OPTION_KINDS = [
    ("choice", "One of the listed choices"),
    ("bool", "Yes or no"),
    ("int", "A whole number"),
    ("decimal", "A number"),
    ("text", "Text"),
]
IDENTIFIER_NAMES = [
    ("board_id", "The learner's ABMS board ID [B1]"),
    ("nabp_eprofile_id", "The NABP e-Profile ID [P7]"),
    ("birth_month", "Birth month [B1][P7]"),
    ("birth_day", "Birth day [B1][P7]"),
]
BLOCKER_CODES = [
    ("no_credit", "The activity offers no credit"),
    ("not_registered", "No confirmed registration"),
    ("not_open", "Claiming has not opened yet"),
    ("closed", "Claiming has closed"),
    ("evaluation", "The evaluation comes first"),
    ("no_attendance", "No attendance recorded at credit sessions"),
]
CERTIFICATE_STATUSES = [
    ("valid", "In force"),
    ("revoked", "Revoked"),
    ("superseded", "Replaced by a newer certificate"),
]


def credit_type_field(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(CREDIT_TYPE_CHOICES, enum_name="CreditTypeEnum", **kwargs)


def _amount(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=6, decimal_places=2, **kwargs)


# --- the provider's credit types ----------------------------------------------------------------


class OptionChoiceSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()


class CreditOptionSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    kind = NamedChoiceField(OPTION_KINDS, enum_name="CreditOptionKindEnum")
    default = serializers.JSONField(help_text="The documented default (decimals as text).")
    source = serializers.CharField(help_text="The references that leave the choice open.")
    choices = OptionChoiceSerializer(many=True, help_text="Allowed values (kind choice).")
    value = serializers.JSONField(
        allow_null=True, help_text="The provider's value; null when the default applies."
    )


class ProviderCreditTypeSerializer(serializers.Serializer):
    code = credit_type_field()
    label = serializers.CharField()
    unit = serializers.CharField()
    unit_plural = serializers.CharField()
    accreditors = serializers.ListField(
        child=serializers.CharField(),
        help_text="Accreditations that allow switching it on; empty: open to every provider.",
    )
    may_switch_on = serializers.BooleanField(
        help_text="The provider holds a current accreditation that allows it."
    )
    enabled = serializers.BooleanField(help_text="Switched on (and still allowed).")
    identifier = serializers.CharField(help_text="The provider's ID for this credit.")
    per_board = serializers.BooleanField(help_text="Designated once per ABMS board (MOC).")
    claim_needs = serializers.ListField(
        child=serializers.CharField(), help_text="Identifiers a claim asks for."
    )
    options = CreditOptionSerializer(many=True)
    sources = serializers.CharField()
    updated = serializers.DateTimeField(allow_null=True)


class ProviderCreditTypeWriteSerializer(StrictInputMixin, serializers.Serializer):
    enabled = serializers.BooleanField()
    identifier = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Your ID for this credit, such as the ACPE provider number that begins "
        "each UAN (at most 50 characters).",
    )
    options = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        required=False,
        help_text="{option key: value}; null or an empty value restores the default. "
        "PUT replaces all options; PATCH changes only the keys given.",
    )


# --- an activity's credit -----------------------------------------------------------------------


class DesignationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    credit_type = credit_type_field()
    label = serializers.CharField()
    board = serializers.CharField(help_text="MOC: the ABMS board; empty otherwise.")
    computed_maximum = _amount(help_text="What the program supports.")
    computed_minutes = serializers.IntegerField(
        help_text="Minutes of credit sessions, concurrent sessions once [M1]."
    )
    maximum = _amount(help_text="The designated maximum: the computation or lower.")
    lowered_reason = serializers.CharField()
    supports_more = serializers.BooleanField(
        help_text="The program now supports more than the maximum."
    )
    uan = serializers.CharField(help_text="ACPE: the Universal Activity Number [P1].")
    approval_pending = serializers.BooleanField(help_text="AAPA: not yet approved [AA1].")
    statements = serializers.ListField(
        child=serializers.CharField(),
        help_text="The accreditation statement, then the designation statement.",
    )
    claims = serializers.IntegerField(help_text="Claims made against it, withdrawn ones too.")
    designated_by = PersonNameField()
    designated_at = ActivityDateTimeField()
    updated = ActivityDateTimeField()


class DayMinutesSerializer(serializers.Serializer):
    date = serializers.DateField()
    minutes = serializers.IntegerField()


class CreditMinutesSerializer(serializers.Serializer):
    covered = serializers.IntegerField(
        help_text="The credit sessions' time, parallel sessions once: what maxima rest on."
    )
    scheduled = serializers.IntegerField(help_text="The credit sessions' lengths added up.")
    concurrent = serializers.IntegerField(help_text="Parallel minutes counted once.")
    credit_sessions = serializers.IntegerField()
    breaks = serializers.IntegerField(
        help_text="Breaks, meals, exhibits, industry and promotional sessions."
    )
    not_eligible = serializers.IntegerField(
        help_text="Educational sessions marked not eligible for credit."
    )
    by_day = DayMinutesSerializer(many=True)


class CreditTypeRowSerializer(serializers.Serializer):
    credit_type = credit_type_field()
    label = serializers.CharField()
    unit_plural = serializers.CharField()
    computed_maximum = _amount(help_text="What the program supports for this type.")
    minutes = serializers.IntegerField()
    per_board = serializers.BooleanField()
    needs_uan = serializers.BooleanField()
    may_be_pending = serializers.BooleanField()
    designations = DesignationSerializer(many=True)
    preview = serializers.ListField(
        child=serializers.CharField(),
        help_text="The statements as designating the computation would print them, "
        "when nothing is designated yet.",
    )


class ClaimWindowSerializer(serializers.Serializer):
    claims_open_at = ActivityDateTimeField()
    claims_close_at = ActivityDateTimeField(allow_null=True, help_text="Null: claims stay open.")
    evaluation_required = serializers.BooleanField()
    default_open_at = ActivityDateTimeField(
        help_text="When claims open unless set: the end of the last credit session."
    )


class ClaimWindowWriteSerializer(StrictInputMixin, serializers.Serializer):
    claims_open_at = ActivityDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Null: when the last credit session ends. Without an offset: the "
        "activity's time zone.",
    )
    claims_close_at = ActivityDateTimeField(
        required=False, allow_null=True, default=None, help_text="Null: claims stay open."
    )
    evaluation_required = serializers.BooleanField(required=False, default=True)


class ActivityCreditSerializer(serializers.Serializer):
    started = serializers.BooleanField(
        help_text="The activity has started: nothing new is designated and nothing raised [M3]."
    )
    minutes = CreditMinutesSerializer()
    types = CreditTypeRowSerializer(many=True, help_text="One per switched-on credit type.")
    other_designations = DesignationSerializer(
        many=True, help_text="Designations of types no longer switched on."
    )
    claim_window = ClaimWindowSerializer()


class DesignateSerializer(StrictInputMixin, serializers.Serializer):
    credit_type = credit_type_field()
    board = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="MOC only: the ABMS board."
    )
    maximum = _amount(
        required=False, allow_null=True, default=None, help_text="Null: what the program supports."
    )
    lowered_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed below the computation."
    )
    uan = serializers.CharField(required=False, allow_blank=True, default="", max_length=22)
    approval_pending = serializers.BooleanField(required=False, default=False)


class DesignationChangeSerializer(StrictInputMixin, serializers.Serializer):
    maximum = _amount(required=False, allow_null=True, help_text="Null: what the program supports.")
    lowered_reason = serializers.CharField(required=False, allow_blank=True)
    uan = serializers.CharField(required=False, allow_blank=True, max_length=22)
    approval_pending = serializers.BooleanField(required=False)


class RecomputedSerializer(serializers.Serializer):
    designation = DesignationSerializer()
    before = _amount(help_text="The maximum before.")
    computed = _amount(help_text="What the program supports now.")
    lowered = serializers.BooleanField()


# --- claims ---------------------------------------------------------------------------------------


class ClaimSerializer(serializers.Serializer):
    """A claim as its learner sees it."""

    id = serializers.IntegerField()
    credit_type = credit_type_field()
    label = serializers.CharField()
    board = serializers.CharField()
    status = NamedChoiceField(ClaimStatus.choices, enum_name="ClaimStatusEnum")
    amount = _amount()
    unit_plural = serializers.CharField()
    measured_minutes = serializers.IntegerField()
    attested_at = ActivityDateTimeField()
    consent_to_report = serializers.BooleanField()
    reported_at = ActivityDateTimeField(allow_null=True)


class ClaimSessionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    start = ActivityDateTimeField()
    end = ActivityDateTimeField()
    minutes = serializers.IntegerField(help_text="Measured minutes, every source merged.")


class BlockerSerializer(serializers.Serializer):
    code = NamedChoiceField(BLOCKER_CODES, enum_name="ClaimBlockerEnum")
    message = serializers.CharField()


class OfferSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text='The choice\'s name: "AMA_PRA_1", or "ABMS_MOC__ABIM" per board. '
        "Errors about the choice come back under it."
    )
    credit_type = credit_type_field()
    board = serializers.CharField()
    label = serializers.CharField()
    unit_plural = serializers.CharField()
    maximum = _amount(help_text="The designated maximum.")
    supported = _amount(help_text="What your measured attendance supports, capped [M1][M3].")
    step = _amount(help_text="Claims move in steps of this (AMA: 0.25 [M1]).")
    least = _amount(help_text="The smallest claim (AMA: 0.25 [M2]).")
    may_claim = serializers.BooleanField(help_text="Your profession may claim it.")
    refusal = serializers.CharField(help_text="Why not, when your profession may not.")
    claimable = serializers.BooleanField()
    needs = serializers.ListField(
        child=NamedChoiceField(IDENTIFIER_NAMES, enum_name="ClaimIdentifierEnum"),
        help_text="Identifiers a claim of it needs.",
    )
    needs_reason = serializers.CharField()
    reports_to_third_party = serializers.BooleanField(
        help_text="Reported for you (MOC to ACCME [B1], ACPE to CPE Monitor [P6]): needs consent."
    )
    claim = serializers.IntegerField(allow_null=True, help_text="Your live claim of it, if any.")


class PrefillSerializer(serializers.Serializer):
    board_id = serializers.CharField(required=False)
    nabp_eprofile_id = serializers.CharField(required=False)
    birth_month = serializers.IntegerField(required=False)
    birth_day = serializers.IntegerField(required=False)
    abms_board = serializers.CharField(required=False)


class ClaimOptionsSerializer(serializers.Serializer):
    can_claim = serializers.BooleanField()
    blockers = BlockerSerializer(many=True)
    opens_at = ActivityDateTimeField(allow_null=True)
    closes_at = ActivityDateTimeField(allow_null=True)
    evaluation_required = serializers.BooleanField()
    evaluation_done = serializers.BooleanField()
    evaluation_minutes = serializers.IntegerField(
        help_text="Time on the evaluation; only rules that count it use it (ANCC [N1])."
    )
    sessions = ClaimSessionSerializer(many=True, help_text="Credit sessions you attended.")
    total_minutes = serializers.IntegerField(help_text="Concurrent sessions counted once [M1].")
    offers = OfferSerializer(many=True)
    needed = serializers.ListField(
        child=NamedChoiceField(IDENTIFIER_NAMES, enum_name="ClaimIdentifierEnum"),
        help_text="Identifiers some claimable credit needs.",
    )
    needs_consent = serializers.BooleanField()
    prefill = PrefillSerializer(help_text="Identifiers from your registration.")
    attestation = serializers.CharField(help_text="The words you attest to, stored with the claim.")
    claims = ClaimSerializer(many=True, help_text="Your live claims.")


class ClaimChoiceSerializer(StrictInputMixin, serializers.Serializer):
    credit_type = credit_type_field()
    board = serializers.CharField(required=False, allow_blank=True, default="")
    amount = serializers.CharField(help_text='The amount claimed, e.g. "1.50".')


class ClaimSubmitSerializer(StrictInputMixin, serializers.Serializer):
    choices = ClaimChoiceSerializer(many=True, allow_empty=True)
    attest = serializers.BooleanField(help_text="You attest to the attestation text.")
    board_id = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    nabp_eprofile_id = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=12
    )
    birth_month = serializers.IntegerField(required=False, allow_null=True, default=None)
    birth_day = serializers.IntegerField(required=False, allow_null=True, default=None)
    consent_to_report = serializers.BooleanField(required=False, default=False)


class ClaimPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()


class StaffClaimSerializer(ClaimSerializer):
    """A claim in the staff list."""

    person = ClaimPersonSerializer()
    designated_maximum = _amount()
    corrections = serializers.IntegerField(help_text="How many times staff changed it.")


class ClaimSessionRowSerializer(serializers.Serializer):
    code = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    at_claim = serializers.IntegerField(allow_null=True, help_text="Minutes when claimed.")
    now = serializers.IntegerField(allow_null=True, help_text="Minutes recorded now.")


class MeasurementSerializer(serializers.Serializer):
    minutes = serializers.IntegerField()
    supported = _amount()
    step = _amount()
    least = _amount()
    evaluation_minutes = serializers.IntegerField()


class CorrectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    before_amount = _amount()
    after_amount = _amount()
    before_minutes = serializers.IntegerField()
    after_minutes = serializers.IntegerField()
    reason = serializers.CharField()
    corrected_by = PersonNameField()
    corrected_at = ActivityDateTimeField()


class StaffClaimDetailSerializer(StaffClaimSerializer):
    attestation = serializers.CharField()
    board_id = serializers.CharField()
    nabp_eprofile_id = serializers.CharField()
    birth_month = serializers.IntegerField(allow_null=True)
    birth_day = serializers.IntegerField(allow_null=True)
    session_rows = ClaimSessionRowSerializer(many=True)
    measured = MeasurementSerializer(
        allow_null=True, help_text="The attendance recorded now and what it supports."
    )
    correction_list = CorrectionSerializer(many=True)


class ClaimCorrectSerializer(StrictInputMixin, serializers.Serializer):
    amount = serializers.CharField(help_text='The new amount, e.g. "1.25".')
    reason = serializers.CharField(allow_blank=True)


class ReasonSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


# --- the learner's transcript and certificates ---------------------------------------------------


class TranscriptFilterSerializer(StrictInputMixin, serializers.Serializer):
    start = serializers.DateField(required=False, help_text="Completed on or after this day.")
    end = serializers.DateField(required=False, help_text="Completed on or before this day.")
    credit_type = serializers.ListField(
        child=NamedChoiceField(TRANSCRIPT_TYPE_CHOICES, enum_name="TranscriptCreditTypeEnum"),
        required=False,
        help_text="Only these credit types; repeat the parameter for several.",
    )


class TranscriptAmountSerializer(serializers.Serializer):
    credit_type = serializers.CharField(source="code")
    label = serializers.CharField()
    unit = serializers.CharField()
    amount = _amount(help_text="Claimed, never the maximum [M6].")
    board = serializers.CharField()
    uan = serializers.CharField()
    certificate = serializers.CharField(help_text="The current certificate's number, if any.")


class TranscriptRowSerializer(serializers.Serializer):
    source = NamedChoiceField(
        [("platform", "Claimed here, verified by the provider"), ("external", "Self-reported")],
        enum_name="TranscriptSourceEnum",
    )
    verified = serializers.BooleanField()
    completed_on = serializers.DateField()
    title = serializers.CharField()
    provider = serializers.CharField()
    starts_on = serializers.DateField(allow_null=True)
    ends_on = serializers.DateField(allow_null=True)
    format = serializers.CharField()
    activity = serializers.IntegerField(source="activity_id", allow_null=True)
    external_credit = serializers.IntegerField(source="external_credit_id", allow_null=True)
    amounts = TranscriptAmountSerializer(many=True)


class TranscriptTotalSerializer(serializers.Serializer):
    credit_type = serializers.CharField(source="code")
    board = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    amount = _amount()
    verified = _amount()
    self_reported = _amount()


class TranscriptLinksSerializer(serializers.Serializer):
    pdf = serializers.URLField()
    csv = serializers.URLField()


class TranscriptSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    credit_types = serializers.ListField(child=serializers.CharField())
    filter_text = serializers.CharField()
    rows = TranscriptRowSerializer(many=True)
    totals = TranscriptTotalSerializer(many=True)
    has_self_reported = serializers.BooleanField()
    cpe_monitor_note = serializers.CharField(
        help_text="For ACPE credit: CPE Monitor is the official record [P6][P11]; empty otherwise."
    )
    links = TranscriptLinksSerializer(help_text="The same transcript as PDF and CSV.")


class CertificateActivitySerializer(serializers.Serializer):
    provider = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()


class MyCertificateSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = NamedChoiceField(CERTIFICATE_STATUSES, enum_name="CertificateStatusEnum")
    credit_type = credit_type_field()
    label = serializers.CharField()
    board = serializers.CharField()
    amount = _amount(help_text="The credit awarded, as the certificate states it [M6].")
    unit_plural = serializers.CharField()
    activity = CertificateActivitySerializer()
    issued_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
    revoked_reason = serializers.CharField()
    pdf_url = serializers.URLField(allow_null=True, help_text="Null once revoked.")
    verification_url = serializers.URLField(
        help_text="The public page the QR code leads to; it says whether the certificate holds."
    )
    credential_jwt_url = serializers.URLField(
        allow_null=True, help_text="The Open Badges 3.0 credential (signed JWT); null once revoked."
    )
    credential_json_url = serializers.URLField(
        allow_null=True, help_text="The same credential as JSON-LD; null once revoked."
    )
