"""Certificates: an activity's certificates and batches for its staff, templates, verification.

What a certificate says is frozen when it is issued [C5][C11]; the credit it states is
the claim's amount, never the maximum [M6]. The public verification answer carries the
same facts as the verification page, nothing more: no e-mail address, no other claim.
"""

from __future__ import annotations

from rest_framework import serializers

from cmeconf.api.serializers.fields import ActivityDateTimeField, StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField, PersonNameField
from cmeconf.credits.models import BatchStatus

CERTIFICATE_STATUS = [
    ("valid", "Valid"),
    ("revoked", "Revoked: no longer valid"),
    ("superseded", "Replaced by a newer certificate"),
]


def _status(**kwargs) -> NamedChoiceField:
    return NamedChoiceField(CERTIFICATE_STATUS, enum_name="IssuedCertificateStatusEnum", **kwargs)


class CertificateLearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()


class CertificateSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = _status()
    learner = CertificateLearnerSerializer(source="claim.person")
    claim = serializers.IntegerField(source="claim_id")
    credit_type = serializers.CharField(source="claim.credit_type")
    board = serializers.CharField(source="claim.board")
    awarded = serializers.CharField(
        source="content.credit.awarded",
        help_text="The credit the certificate states (the claim's amount when issued).",
    )
    issued_at = ActivityDateTimeField()
    superseded_at = ActivityDateTimeField(allow_null=True)
    revoked_at = ActivityDateTimeField(allow_null=True)
    revoked_by = PersonNameField()
    revoked_reason = serializers.CharField(help_text="Kept for the audit; never shown publicly.")


class CertificateCountsSerializer(serializers.Serializer):
    claims = serializers.IntegerField(help_text="Live claims of the activity.")
    missing = serializers.IntegerField(
        help_text="Live claims with no certificate standing: what a batch would issue."
    )
    current = serializers.IntegerField(help_text="Certificates in force.")
    revoked = serializers.IntegerField()


class CertificatePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Certificates matching the search.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    counts = CertificateCountsSerializer(help_text="Of the whole activity, whatever the search.")
    results = CertificateSerializer(many=True)


class CertificateFilterSerializer(StrictInputMixin, serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="A certificate number, or words of the learner's name or e-mail.",
    )
    limit = serializers.IntegerField(required=False, min_value=1)
    offset = serializers.IntegerField(required=False, min_value=0)


class CertificateBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = NamedChoiceField(BatchStatus.choices, enum_name="CertificateBatchStatusEnum")
    label = serializers.CharField()
    text = serializers.CharField(help_text='e.g. "In progress: 250 of 1200 (250 issued)".')
    done = serializers.IntegerField(help_text="Claims handled so far.")
    total = serializers.IntegerField()
    issued = serializers.IntegerField()
    finished = serializers.BooleanField()
    error = serializers.CharField()


class CertificateBatchStartSerializer(StrictInputMixin, serializers.Serializer):
    """Nothing to send: the batch issues every missing certificate of the activity."""


class CertificateRevokeSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, max_length=2000, help_text="Required; kept for the audit trail."
    )


class CertificateTemplateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    signer_name = serializers.CharField()
    signer_title = serializers.CharField()
    footer = serializers.CharField()
    is_default = serializers.BooleanField()
    has_logo = serializers.SerializerMethodField()
    has_signature = serializers.SerializerMethodField()

    def get_has_logo(self, template) -> bool:
        return bool(template.logo)

    def get_has_signature(self, template) -> bool:
        return bool(template.signature)


class CertificateTemplateChoiceSerializer(serializers.Serializer):
    chosen = CertificateTemplateSerializer(
        allow_null=True, help_text="The activity's own choice; null: the provider's default."
    )
    in_use = CertificateTemplateSerializer(
        allow_null=True, help_text="What new certificates use; null: the plain layout."
    )


class CertificateTemplateChoiceWriteSerializer(StrictInputMixin, serializers.Serializer):
    template = serializers.IntegerField(
        allow_null=True, help_text="A template of the provider; null: the provider's default."
    )


# --- public verification -----------------------------------------------------------------------


class VerifiedLearnerSerializer(serializers.Serializer):
    name = serializers.CharField()
    credentials = serializers.CharField()
    profession = serializers.CharField()


class VerifiedDatesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    text = serializers.CharField()


class VerifiedCreditSerializer(serializers.Serializer):
    type = serializers.CharField()
    label = serializers.CharField()
    board = serializers.CharField(required=False, default="")
    uan = serializers.CharField(required=False, default="")
    awarded = serializers.DecimalField(max_digits=6, decimal_places=2)
    awarded_text = serializers.CharField()
    maximum = serializers.DecimalField(max_digits=6, decimal_places=2)
    maximum_text = serializers.CharField()
    identifier_text = serializers.CharField()


class VerifiedSignerSerializer(serializers.Serializer):
    name = serializers.CharField()
    title = serializers.CharField()


class VerifiedContentSerializer(serializers.Serializer):
    """What the certificate says, as issued."""

    title = serializers.CharField()
    learner = VerifiedLearnerSerializer()
    provider = serializers.CharField()
    joint_provider = serializers.CharField()
    activity = serializers.CharField()
    format = serializers.CharField()
    dates = VerifiedDatesSerializer()
    location = serializers.CharField()
    credit = VerifiedCreditSerializer()
    statements = serializers.ListField(child=serializers.CharField())
    signer = VerifiedSignerSerializer()
    number = serializers.CharField()
    issued_on = serializers.DateField()
    issued_on_text = serializers.CharField()


class CertificateVerificationSerializer(serializers.Serializer):
    genuine = serializers.BooleanField(
        help_text="Whether the token names a certificate issued here."
    )
    status = _status(allow_null=True, help_text="Null when not genuine.")
    number = serializers.CharField(allow_null=True)
    revoked_on = serializers.DateField(allow_null=True)
    content = VerifiedContentSerializer(
        allow_null=True, help_text="What it says; only for a valid certificate."
    )


class CertificateVerifyQuerySerializer(StrictInputMixin, serializers.Serializer):
    token = serializers.CharField(
        max_length=500, help_text="The token of the verification link (its last part)."
    )
