"""Reports to accreditors and boards: the credit dashboard, the files with their checks,
and marking learner rows as reported.

Thin: figures come from reporting.dashboard, files and their checks from the builders
(pars_activity, pars_learners, cpe_monitor, ce_broker, ja_pars), marking from
pars_learners.mark_reported (which audits each claim), exactly as the staff pages.
Teams with the reports or credit permission use them. A file with a blocking problem
is not served: 409 with the problems [PA5][B1][P5].
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.response import Response

from cmeconf.api.serializers.reports import (
    REPORT_KINDS,
    CreditReportsSerializer,
    MarkedReportedSerializer,
    MarkReportedSerializer,
    ReportBlockedSerializer,
    ReportProblemSerializer,
    ReportQuerySerializer,
)
from cmeconf.api.views.integrity_base import TeamScopedView
from cmeconf.providers.permissions import Permission
from cmeconf.reporting import (
    base,
    ce_broker,
    cpe_monitor,
    dashboard,
    ja_pars,
    pars_activity,
    pars_learners,
)
from cmeconf.reporting.base import Problem

VIEW = frozenset({Permission.REPORTS, Permission.CREDIT})
LABELS = dict(REPORT_KINDS)
XML = "application/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
CSV = "text/csv; charset=utf-8"


@dataclass
class ReportFile:
    """One file: its checks, and how to make it once they pass."""

    problems: list[Problem]
    content: Callable[[], bytes | str]
    filename: str
    content_type: str


def _activity_files(activity, *, joint: bool) -> dict[str, ReportFile]:
    builder = ja_pars if joint else pars_activity
    record = ja_pars.build(activity) if joint else pars_activity.build(activity)
    problems = builder.check(activity, record)
    stem = "ja-pars-activity" if joint else "pars-activity"
    prefix = "ja-pars" if joint else "pars-activity"
    return {
        f"{prefix}-xml": ReportFile(
            problems, lambda: pars_activity.xml_bytes([record]), f"{stem}.xml", XML
        ),
        f"{prefix}-json": ReportFile(
            problems, lambda: pars_activity.json_text([record]), f"{stem}.json", JSON
        ),
    }


def _learner_files(activity, accme_activity_id: str, selection=None) -> dict[str, ReportFile]:
    selection = selection or pars_learners.select(activity)
    problems = pars_learners.check(activity, selection, accme_activity_id=accme_activity_id)
    return {
        "pars-learners-json": ReportFile(
            problems,
            lambda: pars_learners.learners_json(
                activity, selection, accme_activity_id=accme_activity_id
            ),
            "pars-learners.json",
            JSON,
        ),
        "activity-report-xml": ReportFile(
            problems,
            lambda: pars_learners.learners_xml(
                activity, selection, accme_activity_id=accme_activity_id
            ),
            "pars-learners.xml",
            XML,
        ),
    }


def _cpe_file(activity) -> ReportFile:
    selection = cpe_monitor.select(activity)
    return ReportFile(
        cpe_monitor.check(activity, selection),
        lambda: cpe_monitor.csv_text(selection),
        "cpe-monitor.csv",
        CSV,
    )


def _ce_broker_file(activity) -> ReportFile:
    selection = ce_broker.select(activity)
    return ReportFile(
        ce_broker.check(activity, selection),
        lambda: ce_broker.csv_text(activity, selection),
        "ce-broker.csv",
        CSV,
    )


def report_file(activity, kind: str, *, accme_activity_id: str) -> ReportFile:
    """The file of `kind`, with its checks; 404 for a kind that does not exist."""
    if kind in ("pars-activity-xml", "pars-activity-json"):
        return _activity_files(activity, joint=False)[kind]
    if kind in ("ja-pars-xml", "ja-pars-json"):
        return _activity_files(activity, joint=True)[kind]
    if kind in ("pars-learners-json", "activity-report-xml"):
        return _learner_files(activity, accme_activity_id)[kind]
    if kind == "cpe-monitor-csv":
        return _cpe_file(activity)
    if kind == "ce-broker-csv":
        return _ce_broker_file(activity)
    raise Http404(_("No such file."))


def _problems(problems: list[Problem]) -> list[dict]:
    return [{"level": p.level, "message": p.message} for p in problems]


def _chart(chart: dashboard.Chart) -> dict:
    return {
        "title": chart.title,
        "bars": [
            {"label": b.label, "value": b.value_text, "percent": b.percent, "detail": b.detail}
            for b in chart.bars
        ],
    }


class _ReportView(TeamScopedView):
    read_any = VIEW
    write_any = VIEW

    def query(self) -> str:
        query = ReportQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["accme_activity_id"].strip()


@extend_schema(tags=["reports"])
class ReportDashboard(_ReportView):
    """The credit dashboard and every file's checks, as on the staff page."""

    serializer_class = CreditReportsSerializer
    validates_query = True
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Figures of the activity, and each file's checks",
        description="For teams with the reports or credit permission. Learners by profession, "
        "credit awarded per type and claims per day (live claims only [M6]), the answers to "
        "the standard evaluation questions, and for each file the problems found: an error "
        "blocks the file, a warning asks for a look. The JA-PARS files are listed for "
        "jointly accredited providers. `learner_rows` are the claims the PARS learner file "
        "holds (their ids are what mark-reported takes).",
        parameters=[ReportQuerySerializer],
    )
    def get(self, request, *args, **kwargs) -> Response:
        activity = self.activity
        accme_activity_id = self.query()
        with timezone.override(activity.tz):
            joint = base.is_jointly_accredited(activity)
            selection = pars_learners.select(activity)
            files = _activity_files(activity, joint=False)
            files |= _learner_files(activity, accme_activity_id, selection)
            files["cpe-monitor-csv"] = _cpe_file(activity)
            files["ce-broker-csv"] = _ce_broker_file(activity)
            if joint:
                files |= _activity_files(activity, joint=True)
            body = {
                "totals": dashboard.totals(activity),
                "charts": {
                    "learners_by_profession": _chart(dashboard.learners_by_profession(activity)),
                    "credits_by_type": _chart(dashboard.credits_by_type(activity)),
                    "claims_per_day": _chart(dashboard.claims_over_time(activity)),
                },
                "evaluation": [
                    {
                        "standard": s.standard,
                        "text": s.text,
                        "responses": s.responses,
                        "mean": s.mean,
                        "chart": _chart(s.chart),
                    }
                    for s in dashboard.evaluation_summary(activity)
                ],
                "accme_activity_id": accme_activity_id,
                "joint_accreditation": joint,
                "files": [
                    {
                        "kind": kind,
                        "label": LABELS[kind],
                        "blocked": base.blocking(files[kind].problems),
                        "problems": _problems(files[kind].problems),
                    }
                    for kind, _label in REPORT_KINDS
                    if kind in files
                ],
                "learner_rows": selection.rows,
                "already_reported": selection.already_reported,
            }
            return Response(CreditReportsSerializer(body).data)


class AnyAccept(BaseContentNegotiation):
    """Files answer in their own format whatever the Accept header asks; errors in JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(
    tags=["reports"],
    parameters=[
        OpenApiParameter(
            "kind",
            str,
            OpenApiParameter.PATH,
            enum=[kind for kind, _label in REPORT_KINDS],
            description="The file: "
            + "; ".join(f"`{kind}` {label}" for kind, label in REPORT_KINDS)
            + ".",
        )
    ],
)
class ReportFileView(_ReportView):
    serializer_class = ReportBlockedSerializer
    content_negotiation_class = AnyAccept
    validates_query = True
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Download a file for an accreditor or a board",
        operation_id="providers_activities_reports_file_retrieve",
        description="The file itself (XML, JSON or CSV), when its checks find no blocking "
        "problem; otherwise 409 with every problem. The learner files (`pars-learners-json`, "
        "`activity-report-xml`) need `accme_activity_id`. Downloading marks nothing as "
        "reported.",
        parameters=[ReportQuerySerializer],
        responses={
            (200, "application/xml"): OpenApiResponse(OpenApiTypes.BINARY, description="XML"),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.BINARY, description="JSON"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV"),
            (404, "application/json"): OpenApiResponse(description="No such file."),
            (409, "application/json"): OpenApiResponse(
                ReportBlockedSerializer, description="A problem blocks the file."
            ),
        },
    )
    def get(self, request, *args, **kwargs) -> Response | HttpResponse:
        activity = self.activity
        accme_activity_id = self.query()
        with timezone.override(activity.tz):
            found = report_file(activity, self.kwargs["kind"], accme_activity_id=accme_activity_id)
            if base.blocking(found.problems):
                body = {
                    "detail": _("A problem blocks this file: correct it first."),
                    "problems": ReportProblemSerializer(_problems(found.problems), many=True).data,
                }
                return Response(body, status=status.HTTP_409_CONFLICT)
            content = found.content()
        response = HttpResponse(content, content_type=found.content_type)
        name = f"{activity.provider.slug}-{activity.slug}-{found.filename}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema(tags=["reports"])
class MarkReported(_ReportView):
    serializer_class = MarkReportedSerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Record that learner rows were uploaded to PARS and accepted",
        description="For teams with the reports or credit permission, after the upload: the "
        "claim ids of the rows PARS accepted (from `learner_rows`), and `confirm: true`. "
        "Each claim is marked once, with an entry in the audit trail; a claim that is not a "
        "row of this activity's learner file refuses the whole request.",
        request=MarkReportedSerializer,
        responses={200: MarkedReportedSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = MarkReportedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with timezone.override(self.activity.tz):
            count = pars_learners.mark_reported(
                self.activity, serializer.validated_data["claims"], by=request.user
            )
        return Response(MarkedReportedSerializer({"marked": count}).data)
