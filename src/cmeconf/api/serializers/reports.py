"""Reports to accreditors and boards: the dashboard's figures, each file's checks, marking
learner rows as reported.

Figures come from live claims only: credit awarded, never the designated maximum [M6].
A problem at level "error" blocks its file; a "warning" asks for a look [PA5][B1][P5].
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cmeconf.api.serializers.fields import StrictInputMixin
from cmeconf.api.serializers.integrity_fields import NamedChoiceField
from cmeconf.reporting.base import ERROR, WARNING

# The files, by the name each has in the API (the staff page's download names).
REPORT_KINDS = [
    ("pars-activity-xml", "PARS activity record, MEMS XML"),
    ("pars-activity-json", "PARS activity record, JSON"),
    ("pars-learners-json", "PARS learner completions, JSON"),
    ("activity-report-xml", "PARS learner completions, MEMS Activity Report XML"),
    ("cpe-monitor-csv", "CPE Monitor batch file (ACPE), CSV"),
    ("ce-broker-csv", "CE Broker roster, CSV"),
    ("ja-pars-json", "JA-PARS activity record, JSON"),
    ("ja-pars-xml", "JA-PARS activity record, MEMS XML"),
]


class ReportProblemSerializer(serializers.Serializer):
    level = NamedChoiceField(
        [(ERROR, "Blocks the file"), (WARNING, "Asks for a look")],
        enum_name="ReportProblemLevelEnum",
    )
    message = serializers.CharField()


class ReportFileSerializer(serializers.Serializer):
    kind = NamedChoiceField(REPORT_KINDS, enum_name="ReportKindEnum")
    label = serializers.CharField()
    blocked = serializers.BooleanField(help_text="An error blocks it: downloading answers 409.")
    problems = ReportProblemSerializer(many=True)


class ReportBarSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField(help_text="A count, or an amount of credit with 2 decimals.")
    percent = serializers.IntegerField(help_text="Length of the bar against the longest one.")
    detail = serializers.CharField()


class ReportChartSerializer(serializers.Serializer):
    title = serializers.CharField()
    bars = ReportBarSerializer(many=True)


class ReportChartsSerializer(serializers.Serializer):
    learners_by_profession = ReportChartSerializer()
    credits_by_type = ReportChartSerializer(help_text="Live claims only, never the maximum [M6].")
    claims_per_day = ReportChartSerializer()


class ReportEvaluationSummarySerializer(serializers.Serializer):
    standard = serializers.CharField(help_text="objectives_met or free_of_bias [C8][A4].")
    text = serializers.CharField()
    responses = serializers.IntegerField()
    mean = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    answers = ReportChartSerializer(source="chart")


class ReportTotalsSerializer(serializers.Serializer):
    learners = serializers.IntegerField()
    claimants = serializers.IntegerField(help_text="Learners who claimed credit.")
    claims = serializers.IntegerField()
    reported = serializers.IntegerField(help_text="Claims marked as reported to PARS.")


class ReportLearnerRowSerializer(serializers.Serializer):
    claim = serializers.IntegerField(source="claim.pk")
    name = serializers.SerializerMethodField()
    certification = serializers.CharField()
    id_domain = serializers.CharField(help_text="Board, state or NPI.")
    id_value = serializers.CharField()
    amount = serializers.DecimalField(source="claim.amount", max_digits=6, decimal_places=2)
    evaluated_on = serializers.DateField()

    def get_name(self, row) -> str:
        person = row.claim.person
        return f"{person.first_name} {person.last_name}".strip() or person.email


class CreditReportsSerializer(serializers.Serializer):
    totals = ReportTotalsSerializer()
    charts = ReportChartsSerializer()
    evaluation = ReportEvaluationSummarySerializer(many=True)
    accme_activity_id = serializers.CharField(
        help_text="As given in the query; the learner files need it."
    )
    joint_accreditation = serializers.BooleanField(help_text="The JA-PARS files apply.")
    files = ReportFileSerializer(many=True)
    learner_rows = ReportLearnerRowSerializer(
        many=True, help_text="The rows of the PARS learner file, ready to report."
    )
    already_reported = serializers.IntegerField()


class ReportQuerySerializer(StrictInputMixin, serializers.Serializer):
    accme_activity_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        default="",
        help_text="The 9-digit activity ID PARS assigned; the learner files need it.",
    )


class ReportBlockedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    problems = ReportProblemSerializer(many=True)


class MarkReportedSerializer(StrictInputMixin, serializers.Serializer):
    claims = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        allow_empty=True,
        help_text="The claim ids of the learner rows that PARS accepted.",
    )
    confirm = serializers.BooleanField(
        help_text="true: you uploaded these rows and PARS accepted them."
    )

    def validate_confirm(self, value: bool) -> bool:
        if not value:
            raise serializers.ValidationError(
                _("Confirm that these rows were uploaded to PARS and accepted.")
            )
        return value


class MarkedReportedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="Rows marked now (already marked ones: skipped).")
