"""Licensure: requirement sets, a person's licences and credits, compliance, audience needs.

Results the sources could not confirm carry ``confirmed: false``; clients must show
them as unconfirmed, never as fact.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from cmeconf.api.serializers.fields import ModelSerializer, StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField
from cmeconf.licensure import engine, services
from cmeconf.licensure.models import BoardCertification, ExternalCredit, Licence


def _amount(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=8, decimal_places=2, **kwargs)


def _codes(**kwargs) -> serializers.ListField:
    return serializers.ListField(child=serializers.CharField(max_length=100), **kwargs)


# --- requirement sets --------------------------------------------------------------------------


class JurisdictionSerializer(serializers.Serializer):
    country = serializers.CharField(help_text="ISO 3166 alpha-2.")
    subdivision = serializers.CharField(allow_null=True, help_text="State or province code.")
    name = serializers.CharField()


class CycleSerializer(serializers.Serializer):
    length_months = serializers.IntegerField(
        allow_null=True, help_text="Null: no general cycle; each mandate has its own clock."
    )
    anchor = serializers.CharField(help_text="Where a cycle ends (a cycle anchor code).")
    anchor_label = serializers.CharField()
    anchor_confirmed = serializers.BooleanField()
    detail = serializers.CharField()


class RequirementSetSerializer(serializers.Serializer):
    id = serializers.CharField(help_text='e.g. "US-CA-MD".')
    label = serializers.CharField()
    jurisdiction = JurisdictionSerializer()
    regulator = serializers.CharField()
    profession = serializers.CharField()
    license_types = serializers.ListField(child=serializers.CharField())
    confidence = serializers.CharField(help_text="HIGH, MEDIUM or LOW.")
    as_of = serializers.DateField(
        allow_null=True,
        help_text="The newest date the set's sources state for themselves; null when undated.",
    )
    checked_on = serializers.CharField(help_text="When the rules were last researched.")
    unit = serializers.CharField(help_text="hour, credit, contact_hour, moc_credit or cme_point.")
    total = _amount(allow_null=True, help_text="Required per cycle; null: no general total.")
    total_confirmed = serializers.BooleanField()
    cycle = CycleSerializer()
    verify_note = serializers.CharField()


class CreditTypeRuleSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    credit_types = serializers.ListField(child=serializers.CharField())
    min = _amount(allow_null=True)
    max = _amount(allow_null=True)
    max_fraction_of_total = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True
    )
    min_per_calendar_year = _amount(allow_null=True)
    rule = serializers.CharField()
    confirmed = serializers.BooleanField()
    confidence_note = serializers.CharField()
    source_refs = serializers.ListField(child=serializers.CharField())


class AppliesIfSerializer(serializers.Serializer):
    conditions = serializers.ListField(child=serializers.CharField())
    specialties = serializers.ListField(child=serializers.CharField())
    exclude_specialties = serializers.ListField(child=serializers.CharField())
    license_types = serializers.ListField(child=serializers.CharField())
    text = serializers.CharField()


class RecurrenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    detail = serializers.CharField()


class TopicRequirementSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    topics = serializers.ListField(
        child=serializers.CharField(), help_text="A credit with any of these topics counts."
    )
    hours = _amount(allow_null=True)
    hours_fraction_of_total = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True
    )
    hours_per_year = _amount(allow_null=True)
    hours_text = serializers.CharField()
    credit_types_allowed = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="Null: any credit type the total counts.",
    )
    counts_toward_total = serializers.BooleanField()
    recurrence = RecurrenceSerializer()
    applies_if = AppliesIfSerializer(allow_null=True, help_text="Null: every holder.")
    approvals_required = serializers.ListField(child=serializers.CharField())
    formats_allowed = serializers.ListField(child=serializers.CharField())
    confirmed = serializers.BooleanField()
    confidence_note = serializers.CharField()
    source_refs = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    id = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    kind = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    as_of_text = serializers.CharField()


class TotalDetailSerializer(serializers.Serializer):
    amount = _amount(allow_null=True)
    unit = serializers.CharField()
    counted_credit_types = serializers.ListField(child=serializers.CharField())
    confirmed = serializers.BooleanField()
    confidence_note = serializers.CharField()
    notes = serializers.CharField()
    source_refs = serializers.ListField(child=serializers.CharField())


class RequirementSetDetailSerializer(RequirementSetSerializer):
    total_rule = TotalDetailSerializer()
    credit_type_rules = CreditTypeRuleSerializer(many=True)
    topic_requirements = TopicRequirementSerializer(many=True)
    sources = SourceSerializer(many=True)
    unconfirmed = serializers.ListField(
        child=serializers.CharField(), help_text="What the research could not confirm."
    )
    notes = serializers.CharField()


# --- licences and board certifications --------------------------------------------------------


class LicenceSerializer(StrictInputMixin, ModelSerializer):
    requirement_set = serializers.CharField(
        max_length=40, help_text='The id of a requirement set, e.g. "US-CA-MD".'
    )
    requirement_set_label = serializers.SerializerMethodField()
    specialties = _codes(required=False)
    conditions = _codes(
        required=False, help_text="Practice conditions that hold, e.g. dea_registration."
    )

    class Meta:
        model = Licence
        fields = [
            "id",
            "requirement_set",
            "requirement_set_label",
            "license_type",
            "number",
            "issued_on",
            "expires_on",
            "renewal_number",
            "birth_month",
            "birth_day",
            "specialties",
            "conditions",
            "carried_in",
            "cycle_start",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_requirement_set_label(self, licence: Licence) -> str | None:
        rs = services.requirement_sets().get(licence.requirement_set)
        return services.set_label(rs) if rs else None

    def validate(self, attrs: dict) -> dict:
        def value(name: str, default=None):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, default) if self.instance else default

        problems = services.licence_problems(
            person=self.context["request"].user,
            licence_id=self.instance.pk if self.instance is not None else None,
            requirement_set=value("requirement_set", ""),
            license_type=value("license_type", ""),
            conditions=value("conditions", []) or [],
            expires_on=value("expires_on"),
            birth_month=value("birth_month"),
            birth_day=value("birth_day"),
            issued_on=value("issued_on"),
            cycle_start=value("cycle_start"),
        )
        if problems:
            raise serializers.ValidationError(problems)
        return attrs

    def create(self, validated_data: dict) -> Licence:
        return self._save(Licence(**validated_data))

    def update(self, instance: Licence, validated_data: dict) -> Licence:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance)

    def _save(self, licence: Licence) -> Licence:
        # The same licence saved a moment ago by another request: say so, not 500.
        try:
            return services.save_licence(licence)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None


class BoardCertificationSerializer(StrictInputMixin, ModelSerializer):
    class Meta:
        model = BoardCertification
        fields = [
            "id",
            "board",
            "specialty",
            "certificate_number",
            "certified_on",
            "expires_on",
            "in_moc",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs: dict) -> dict:
        def value(name: str):
            if name in attrs:
                return attrs[name]
            return getattr(self.instance, name, None)

        problems = services.certification_problems(
            certified_on=value("certified_on"), expires_on=value("expires_on")
        )
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


# --- credits ------------------------------------------------------------------------------------


class CreditSerializer(serializers.ModelSerializer):
    amounts = serializers.DictField(
        child=serializers.CharField(),
        help_text='{credit type: amount}, e.g. {"AMA_PRA_1": "1.50"}.',
    )
    topics = serializers.ListField(child=serializers.CharField())
    approvals = serializers.ListField(child=serializers.CharField())
    source_import = serializers.IntegerField(
        source="source_import_id", allow_null=True, help_text="The CSV import it came from."
    )

    class Meta:
        model = ExternalCredit
        fields = [
            "id",
            "title",
            "provider_name",
            "completed_on",
            "amounts",
            "topics",
            "approvals",
            "format",
            "source_import",
            "created_at",
        ]
        read_only_fields = fields


class CreditWriteSerializer(StrictInputMixin, serializers.Serializer):
    title = serializers.CharField(max_length=300)
    provider_name = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default=""
    )
    completed_on = serializers.DateField()
    amounts = serializers.DictField(
        child=serializers.CharField(),
        help_text="Every designation the certificate names: "
        '{"AMA_PRA_1": "1.5", "AOA_2A": "1.5"}. Positive, at most two decimals.',
    )
    topics = _codes(required=False, default=list, help_text="Licensure topic codes.")
    approvals = _codes(required=False, default=list)
    format = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class CreditImportUploadSerializer(StrictInputMixin, serializers.Serializer):
    file = serializers.FileField(help_text="The CSV file (UTF-8; comma or semicolon separated).")


class CreditImportResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    filename = serializers.CharField()
    rows = serializers.IntegerField(help_text="Credits recorded.")
    imported_at = serializers.DateTimeField()


class CreditImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(
        help_text="1 for the first row under the header; 0 for the file itself."
    )
    column = serializers.CharField()
    message = serializers.CharField()


class CreditImportErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = CreditImportRowErrorSerializer(many=True)


# --- compliance ---------------------------------------------------------------------------------


class CountedSerializer(serializers.Serializer):
    credit = serializers.IntegerField(
        allow_null=True,
        help_text="The id of the credit the learner recorded (me/credits/); null for credit "
        "carried over from the last cycle or claimed on this platform.",
    )
    activity = serializers.IntegerField(
        allow_null=True,
        help_text="The activity whose claimed credit this is, for credit claimed on this "
        "platform; null otherwise.",
    )
    carried_in = serializers.BooleanField(
        help_text="Credit carried over from the last cycle (the licence's carried_in)."
    )
    amount = _amount()


class NotCountedSerializer(serializers.Serializer):
    credit = serializers.IntegerField(allow_null=True)
    activity = serializers.IntegerField(allow_null=True)
    reason = NamedChoiceField(
        [(r.value, r.value.replace("_", " ")) for r in engine.Reason],
        enum_name="NotCountedReasonEnum",
    )


class RequirementStatusSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(
        help_text="total, credit_type_min, credit_type_cap, annual_min or topic."
    )
    required = _amount(allow_null=True, help_text="Null: a course of no stated length.")
    counted = _amount()
    gap = _amount()
    met = serializers.BooleanField()
    deadline = serializers.DateField(allow_null=True)
    confirmed = serializers.BooleanField(
        help_text="False: the rule or its cycle is not confirmed by the sources; "
        "show the result as unconfirmed."
    )
    source_refs = serializers.ListField(child=serializers.CharField())
    notes = serializers.ListField(child=serializers.CharField())
    counted_from = CountedSerializer(many=True)
    not_counted = NotCountedSerializer(many=True)


class SetRefSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()


class LicenceComplianceSerializer(serializers.Serializer):
    licence = LicenceSerializer()
    requirement_set = SetRefSerializer()
    as_of = serializers.DateField(allow_null=True)
    checked_on = serializers.CharField()
    confidence = serializers.CharField()
    verify_note = serializers.CharField()
    confirmed = serializers.BooleanField(
        help_text="False when any result below rests on something unconfirmed."
    )
    window_start = serializers.DateField(allow_null=True)
    window_end = serializers.DateField(allow_null=True)
    due = serializers.DateField(allow_null=True)
    renewal_number = serializers.IntegerField(allow_null=True)
    compliant = serializers.BooleanField(allow_null=True, help_text="Null when not evaluated.")
    min_additional = _amount(allow_null=True, help_text="The least new credit that closes gaps.")
    exempt_reason = serializers.CharField(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField())
    problem = serializers.CharField(help_text="Why the licence could not be evaluated.")
    requirements = RequirementStatusSerializer(many=True)


class ComplianceSerializer(serializers.Serializer):
    today = serializers.DateField()
    licences = LicenceComplianceSerializer(many=True)


# --- audience needs -----------------------------------------------------------------------------


class NeedSetSerializer(serializers.Serializer):
    id = serializers.CharField()
    label = serializers.CharField()
    requirements = serializers.ListField(child=serializers.CharField())
    as_of = serializers.DateField(allow_null=True)
    checked_on = serializers.CharField(source="checked")


class NeedSessionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    start = serializers.DateTimeField(allow_null=True)


class NeedSerializer(serializers.Serializer):
    topic = serializers.CharField(help_text="A licensure topic code.")
    label = serializers.CharField()
    learners = serializers.CharField(
        source="learners_shown",
        help_text='How many registrants need it; "fewer than 5" for small numbers.',
    )
    hours_missing = _amount(
        source="hours_shown", allow_null=True, help_text="Null when fewer than 5 registrants."
    )
    unconfirmed = serializers.BooleanField(
        source="unconfirmed_shown",
        allow_null=True,
        help_text="Some of these mandates are not confirmed by the sources. "
        "Null when fewer than 5 registrants.",
    )
    sets = NeedSetSerializer(
        source="sets_shown",
        many=True,
        help_text="The requirement sets and mandates behind the need. "
        "Empty when fewer than 5 registrants, so that nobody can be picked out.",
    )
    sessions = NeedSessionSerializer(
        many=True, help_text="Sessions of the activity that already carry the topic."
    )


class AudienceNeedsSerializer(serializers.Serializer):
    today = serializers.DateField()
    registrants = serializers.IntegerField(help_text="Registrants holding a seat.")
    with_licences = serializers.CharField(
        help_text='Of them, how many keep a licence here; "fewer than 5" for small numbers.'
    )
    not_evaluated = serializers.CharField(
        help_text="Licences that could not be evaluated (no expiry date on file); "
        '"fewer than 5" for small numbers.'
    )
    verify_note = serializers.CharField()
    needs = NeedSerializer(many=True)
