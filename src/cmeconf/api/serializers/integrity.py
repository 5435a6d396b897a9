"""Ineligible companies, disclosures, conflict-of-interest review, consent and learner text."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cmeconf.api.serializers.fields import StrictInputMixin
from cmeconf.api.serializers.integrity_fields import (
    NamedChoiceField,
    PersonNameField,
    PersonSerializer,
)
from cmeconf.integrity import companies
from cmeconf.integrity.choices import (
    CompanyKind,
    DisclosureState,
    ExclusionException,
    MitigationMethod,
    RelationshipNature,
)
from cmeconf.integrity.models import IneligibleCompany
from cmeconf.integrity.review import Status

# --- companies -------------------------------------------------------------------------------


class CompanySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField()
    kind = NamedChoiceField(CompanyKind.choices, enum_name="CompanyKindEnum")
    website = serializers.URLField()
    aliases = serializers.SerializerMethodField(help_text="Other names the company is known by.")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_aliases(self, obj: IneligibleCompany) -> list[str]:
        return [alias.name for alias in obj.aliases.all()]


class CompanySearchSerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        help_text="Part of the name or of another name; case, accents and legal forms "
        "(Inc, Ltd, GmbH ...) do not matter.",
    )
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)


class CompanyWriteSerializer(StrictInputMixin, serializers.Serializer):
    """A company for the registry of ineligible companies [A2]."""

    name = serializers.CharField(max_length=companies.NAME_MAX_LENGTH)
    kind = NamedChoiceField(CompanyKind.choices, enum_name="CompanyKindEnum")
    website = serializers.URLField(required=False, default="", allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=companies.NAME_MAX_LENGTH),
        required=False,
        default=list,
        help_text="Former names, subsidiaries and other spellings people use.",
    )


class CompanyImportSerializer(StrictInputMixin, serializers.Serializer):
    """A CSV file of companies, as text."""

    csv = serializers.CharField(
        trim_whitespace=False,
        help_text="The CSV text: a header row naming the columns name, kind, website and "
        "aliases (separated by |), then one company per row.",
    )


class CompanyImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    already_present = serializers.IntegerField(
        help_text="Rows repeating a company of the registry exactly; skipped."
    )


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="The row as a spreadsheet numbers it: 1 is the header."
    )
    column = serializers.CharField()
    message = serializers.CharField()


class CompanyImportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ImportRowErrorSerializer(many=True)


# --- a person's own disclosure ---------------------------------------------------------------


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RelationshipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    company = CompanyRefSerializer()
    nature = NamedChoiceField(RelationshipNature.choices, enum_name="RelationshipNatureEnum")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True, help_text="Null while ongoing.")


class DisclosureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = NamedChoiceField(DisclosureState.choices, enum_name="DisclosureStateEnum")
    submitted_at = serializers.DateTimeField()
    covers_from = serializers.DateField(help_text="Relationships since this day are disclosed.")
    valid_until = serializers.DateField()
    has_relationships = serializers.BooleanField()
    attestation = serializers.CharField(help_text="The attestation as it was shown.")
    relationships = RelationshipSerializer(many=True)


class RoleStandingSerializer(serializers.Serializer):
    provider = serializers.CharField(help_text="The provider's slug.")
    activity = serializers.CharField(help_text="The activity's slug.")
    title = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    role_start = serializers.DateField()
    blockers = serializers.ListField(
        child=serializers.CharField(), help_text="Why you cannot yet be confirmed in the role."
    )


class MyDisclosureSerializer(serializers.Serializer):
    current = DisclosureSerializer(allow_null=True, help_text="Your latest disclosure or refusal.")
    blockers = serializers.ListField(
        child=serializers.CharField(),
        help_text="What keeps the current disclosure from serving a role that starts today.",
    )
    roles = RoleStandingSerializer(
        many=True, help_text="Your roles in activities that have not ended, and their blockers."
    )
    attestation = serializers.CharField(help_text="What you attest to when you submit.")


@extend_schema_field(
    {
        "oneOf": [{"type": "integer"}, {"type": "string"}],
        "description": "The company's id in the registry, or a name or alias it is known by.",
    }
)
class CompanyChoiceField(serializers.Field):
    """A company of the registry, by id or by any name or alias it is known by."""

    default_error_messages = {
        "unknown": _("“%(name)s” is not an ineligible company in the registry."),
        "invalid": _("Give the company's id or name."),
    }

    def __init__(self, *, unknown_hint: str = "", **kwargs) -> None:
        self.unknown_hint = unknown_hint
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> IneligibleCompany:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        if isinstance(data, int):
            company = IneligibleCompany.objects.filter(pk=data).first()
        else:
            company = companies.find_company(data[:200])
        if company is None:
            message = self.error_messages["unknown"] % {"name": data}
            raise serializers.ValidationError(f"{message} {self.unknown_hint}".strip())
        return company

    def to_representation(self, value: IneligibleCompany) -> int:
        return value.pk


class RelationshipInputSerializer(StrictInputMixin, serializers.Serializer):
    """One financial relationship with an ineligible company [A5]."""

    company = CompanyChoiceField(
        unknown_hint=_(
            "Relationships with organisations that are not ineligible companies need not be "
            "disclosed; if an ineligible company is missing, ask the organisers to add it."
        )
    )
    nature = NamedChoiceField(RelationshipNature.choices, enum_name="RelationshipNatureEnum")
    start_date = serializers.DateField()
    end_date = serializers.DateField(
        allow_null=True, required=False, default=None, help_text="Null or left out: ongoing."
    )


class DisclosureSubmitSerializer(StrictInputMixin, serializers.Serializer):
    """A disclosure: every relationship of the past 24 months, or none [A5]."""

    relationships = RelationshipInputSerializer(
        many=True,
        allow_empty=True,
        help_text="Every financial relationship with an ineligible company in the past 24 "
        "months, in any amount; an empty list says there were none.",
    )
    attested = serializers.BooleanField(
        help_text="You confirm the attestation returned by GET (it is kept with the disclosure)."
    )


class DisclosureRefuseSerializer(StrictInputMixin, serializers.Serializer):
    """The confirmation of a refusal to disclose [A17]."""

    confirm = serializers.BooleanField(
        help_text="Must be true: refusing to disclose disqualifies you from controlling the "
        "content of accredited education."
    )


# --- the activity's roster and review --------------------------------------------------------


class DecisionSerializer(serializers.Serializer):
    relevant = serializers.BooleanField()
    reason = serializers.CharField()
    reviewer = PersonNameField()
    decided_at = serializers.DateTimeField()


class MitigationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    method = NamedChoiceField(MitigationMethod.choices, enum_name="MitigationMethodEnum")
    details = serializers.CharField()
    peer_name = serializers.CharField()
    peer_review_date = serializers.DateField(allow_null=True)
    recorded_by = PersonNameField()
    recorded_at = serializers.DateTimeField()


class ExceptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    exception = NamedChoiceField(ExclusionException.choices, enum_name="ExclusionExceptionEnum")
    reason = serializers.CharField()
    reviewer = PersonNameField()
    recorded_at = serializers.DateTimeField()


REVIEW_STATUSES = [(s.value, s.value.replace("_", " ")) for s in Status]


class ReviewedRelationshipSerializer(RelationshipSerializer):
    """A relationship in the look-back of the role, with where it stands for this activity."""

    status = NamedChoiceField(REVIEW_STATUSES, enum_name="ReviewStatusEnum")
    decision = DecisionSerializer(allow_null=True, help_text="The latest decision.")
    mitigations = MitigationSerializer(many=True)
    exceptions = ExceptionSerializer(many=True)


class DisclosureSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = NamedChoiceField(DisclosureState.choices, enum_name="DisclosureStateEnum")
    submitted_at = serializers.DateTimeField()
    covers_from = serializers.DateField()
    valid_until = serializers.DateField()


MEMBER_STATUSES = [
    ("missing", "no disclosure on file"),
    ("refused", "refused to disclose"),
    ("blocked", "cannot be confirmed yet"),
    ("ok", "can be confirmed"),
]


class RosterMemberSerializer(serializers.Serializer):
    person = PersonSerializer()
    roles = serializers.ListField(child=serializers.CharField())
    role_start = serializers.DateField()
    status = NamedChoiceField(MEMBER_STATUSES, enum_name="DisclosureStandingEnum")
    blockers = serializers.ListField(child=serializers.CharField())
    needs_invitation = serializers.BooleanField(
        help_text="Missing, expired or too short: a new disclosure would unblock the person."
    )
    disclosure = DisclosureSummarySerializer(allow_null=True)
    relationship_count = serializers.IntegerField(
        help_text="Relationships in the 24 months before the role."
    )
    relationships = ReviewedRelationshipSerializer(
        many=True,
        allow_null=True,
        help_text="Shown to disclosure reviewers only; null for everyone else.",
    )


class InvitationResultSerializer(serializers.Serializer):
    invited = PersonSerializer(many=True)


class ReviewSummarySerializer(serializers.Serializer):
    open_items = serializers.IntegerField(
        help_text="Relationships waiting for a decision or for a mitigation."
    )
    problems = serializers.ListField(
        child=serializers.CharField(),
        help_text="Everything that keeps the activity from approval and publication.",
    )


class DecisionInputSerializer(StrictInputMixin, serializers.Serializer):
    """Whether the relationship is relevant to this content, and why [A6][A7]."""

    relevant = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


class MitigationInputSerializer(StrictInputMixin, serializers.Serializer):
    """How a relevant relationship was mitigated [A7]."""

    method = NamedChoiceField(MitigationMethod.choices, enum_name="MitigationMethodEnum")
    details = serializers.CharField(required=False, default="", allow_blank=True)
    peer_name = serializers.CharField(required=False, default="", allow_blank=True, max_length=200)
    peer_review_date = serializers.DateField(required=False, default=None, allow_null=True)


class ExceptionInputSerializer(StrictInputMixin, serializers.Serializer):
    """The exception under which an owner or employee controls this content [A7b]."""

    exception = NamedChoiceField(ExclusionException.choices, enum_name="ExclusionExceptionEnum")
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


# --- consent ----------------------------------------------------------------------------------


class ConsentSerializer(serializers.Serializer):
    provider = serializers.CharField(source="activity.provider.slug")
    activity = serializers.CharField(source="activity.slug")
    title = serializers.CharField(source="activity.title")
    wording = serializers.CharField(help_text="What you agreed to, as it was shown.")
    source = serializers.CharField(help_text="Where it was given: registration, api ...")
    given_at = serializers.DateTimeField()
    withdrawn_at = serializers.DateTimeField(allow_null=True)


class ConsentStateSerializer(serializers.Serializer):
    wording = serializers.CharField(help_text="What you agree to when you give consent.")
    consent = ConsentSerializer(allow_null=True, help_text="Your consent in force, if any.")
