"""Licensure: the shipped requirement sets, your licences and credits, your compliance, and
an activity's audience needs for its staff.

Thin: reading and validation go through cmeconf.licensure (services, imports, needs).
The me/ endpoints answer only about the caller; another person's record is 404,
exactly like one that does not exist.
"""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from cmeconf.api.serializers.licensure import (
    AudienceNeedsSerializer,
    BoardCertificationSerializer,
    ComplianceSerializer,
    CreditImportErrorSerializer,
    CreditImportResultSerializer,
    CreditImportUploadSerializer,
    CreditSerializer,
    CreditWriteSerializer,
    LicenceSerializer,
    RequirementSetDetailSerializer,
    RequirementSetSerializer,
)
from cmeconf.api.views.integrity_base import TeamScopedView
from cmeconf.licensure import imports, needs, platform, services, vocabulary
from cmeconf.licensure.models import BoardCertification, ExternalCredit, Licence
from cmeconf.licensure.rules import RequirementSet
from cmeconf.providers.permissions import Permission

VERIFY = gettext_lazy(
    "A summary of the regulator's rules as researched, not legal advice: "
    "verify with your board before you rely on it."
)


NOT_FOUND = OpenApiResponse(description="Not found, or not yours.")


def _own(name: str, serializer) -> dict:
    """Schema of a detail view of the caller's own records: its id, and 404 for others'."""
    parameters = [
        OpenApiParameter("id", int, OpenApiParameter.PATH, description=f"The id of the {name}.")
    ]
    read = extend_schema(
        summary=f"One {name} of yours",
        parameters=parameters,
        responses={200: serializer, 404: NOT_FOUND},
    )
    change = extend_schema(
        summary=f"Change one {name} of yours",
        parameters=parameters,
        responses={200: serializer, 404: NOT_FOUND},
    )
    delete = extend_schema(
        summary=f"Delete one {name} of yours",
        parameters=parameters,
        responses={204: None, 404: NOT_FOUND},
    )
    return {"get": read, "patch": change, "delete": delete}


def _sorted(values) -> list[str]:
    return sorted(values)


def set_summary(rs: RequirementSet) -> dict:
    return {
        "id": rs.id,
        "label": services.set_label(rs),
        "jurisdiction": {
            "country": rs.jurisdiction.country,
            "subdivision": rs.jurisdiction.subdivision,
            "name": rs.jurisdiction.name,
        },
        "regulator": rs.regulator,
        "profession": rs.profession,
        "license_types": _sorted(rs.license_types),
        "confidence": rs.confidence,
        "as_of": rs.as_of,
        "checked_on": rs.version,
        "unit": rs.total.unit,
        "total": rs.total.amount,
        "total_confirmed": rs.total.confirmed,
        "cycle": {
            "length_months": rs.cycle.length_months,
            "anchor": rs.cycle.anchor,
            "anchor_label": str(vocabulary.CYCLE_ANCHORS.get(rs.cycle.anchor, rs.cycle.anchor)),
            "anchor_confirmed": rs.cycle.anchor_confirmed,
            "detail": rs.cycle.anchor_detail,
        },
        "verify_note": VERIFY,
    }


def set_detail(rs: RequirementSet) -> dict:
    topic_rules = []
    for t in rs.topic_requirements:
        applies = t.applies_if
        topic_rules.append(
            {
                "id": t.id,
                "label": t.label,
                "topics": _sorted(t.topics_any),
                "hours": t.hours,
                "hours_fraction_of_total": t.hours_fraction_of_total,
                "hours_per_year": t.hours_per_year,
                "hours_text": t.hours_text,
                "credit_types_allowed": (
                    None if t.credit_types_allowed is None else _sorted(t.credit_types_allowed)
                ),
                "counts_toward_total": t.counts_toward_total,
                "recurrence": {
                    "kind": t.recurrence.kind,
                    "label": str(
                        vocabulary.RECURRENCE_KINDS.get(t.recurrence.kind, t.recurrence.kind)
                    ),
                    "detail": t.recurrence.detail,
                },
                "applies_if": None
                if applies is None
                else {
                    "conditions": _sorted(applies.conditions),
                    "specialties": _sorted(applies.specialties),
                    "exclude_specialties": _sorted(applies.exclude_specialties),
                    "license_types": _sorted(applies.license_types),
                    "text": applies.text,
                },
                "approvals_required": _sorted(t.approvals_required),
                "formats_allowed": _sorted(t.formats_allowed),
                "confirmed": t.confirmed,
                "confidence_note": t.confidence_note,
                "source_refs": list(t.source_refs),
                "notes": t.notes,
            }
        )
    return set_summary(rs) | {
        "total_rule": {
            "amount": rs.total.amount,
            "unit": rs.total.unit,
            "counted_credit_types": _sorted(rs.total.counted_credit_types),
            "confirmed": rs.total.confirmed,
            "confidence_note": rs.total.confidence_note,
            "notes": rs.total.notes,
            "source_refs": list(rs.total.source_refs),
        },
        "credit_type_rules": [
            {
                "id": r.id,
                "label": r.label,
                "credit_types": _sorted(r.credit_types),
                "min": r.min,
                "max": r.max,
                "max_fraction_of_total": r.max_fraction_of_total,
                "min_per_calendar_year": r.min_per_calendar_year,
                "rule": r.rule,
                "confirmed": r.confirmed,
                "confidence_note": r.confidence_note,
                "source_refs": list(r.source_refs),
            }
            for r in rs.credit_type_rules
        ],
        "topic_requirements": topic_rules,
        "sources": [
            {
                "id": s.id,
                "title": s.title,
                "url": s.url,
                "kind": s.kind,
                "as_of": s.as_of,
                "as_of_text": s.as_of_text,
            }
            for s in rs.sources.values()
        ],
        "unconfirmed": list(rs.unconfirmed),
        "notes": rs.notes,
    }


@extend_schema(tags=["licensure"])
class RequirementSetList(generics.GenericAPIView):
    """The regulators' continuing-education rules cmeconf knows, one set per licence kind."""

    serializer_class = RequirementSetSerializer
    permission_classes = [AllowAny]
    pagination_class = None  # a few dozen sets, shipped with the code

    @extend_schema(
        summary="List the requirement sets",
        responses={200: RequirementSetSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        sets = sorted(services.requirement_sets().values(), key=services.set_label)
        return Response(RequirementSetSerializer([set_summary(rs) for rs in sets], many=True).data)


@extend_schema(tags=["licensure"])
class RequirementSetDetail(generics.GenericAPIView):
    serializer_class = RequirementSetDetailSerializer
    permission_classes = [AllowAny]

    @extend_schema(
        summary="One requirement set with its rules and sources",
        description="Rules marked `confirmed: false` could not be verified in the sources.",
        parameters=[
            OpenApiParameter(
                "set_id",
                str,
                OpenApiParameter.PATH,
                description='The id of the requirement set, e.g. "US-CA-MD".',
            )
        ],
        responses={200: RequirementSetDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs) -> Response:
        rs = services.requirement_sets().get(self.kwargs["set_id"])
        if rs is None:
            raise Http404(_("No such requirement set."))
        return Response(RequirementSetDetailSerializer(set_detail(rs)).data)


# --- your licences, board certifications and credits ------------------------------------------


class _Mine:
    """The caller's own records only: anyone else's answers 404."""

    permission_classes = [IsAuthenticated]
    model: type

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(person=self.request.user)


@extend_schema(tags=["licensure"])
class MyLicenceList(_Mine, generics.ListCreateAPIView):
    """Your licences."""

    model = Licence
    serializer_class = LicenceSerializer
    pagination_class = None

    @extend_schema(summary="Your licences")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Add a licence",
        description="The requirement set must cover the licence type; where the board's "
        "renewal date cannot be worked out, the field it needs is named (expiry date, birth "
        "month or cycle start).",
    )
    def post(self, request, *args, **kwargs) -> Response:
        return self.create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        serializer.save(person=self.request.user)


@extend_schema(tags=["licensure"])
@extend_schema_view(**_own("licence", LicenceSerializer))
class MyLicenceDetail(_Mine, generics.RetrieveUpdateDestroyAPIView):
    model = Licence
    serializer_class = LicenceSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]


@extend_schema(tags=["licensure"])
class MyBoardCertificationList(_Mine, generics.ListCreateAPIView):
    """Your board certifications."""

    model = BoardCertification
    serializer_class = BoardCertificationSerializer
    pagination_class = None

    @extend_schema(summary="Your board certifications")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(summary="Add a board certification")
    def post(self, request, *args, **kwargs) -> Response:
        return self.create(request, *args, **kwargs)

    def perform_create(self, serializer) -> None:
        serializer.save(person=self.request.user)


@extend_schema(tags=["licensure"])
@extend_schema_view(**_own("board certification", BoardCertificationSerializer))
class MyBoardCertificationDetail(_Mine, generics.RetrieveUpdateDestroyAPIView):
    model = BoardCertification
    serializer_class = BoardCertificationSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]


@extend_schema(tags=["licensure"])
class MyCreditList(_Mine, mixins.ListModelMixin, generics.GenericAPIView):
    """Credit you earned elsewhere, as your certificates state it, newest first."""

    model = ExternalCredit
    serializer_class = CreditSerializer

    @extend_schema(summary="Your credits")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Record a credit",
        description="Every designation the certificate names, with its amount; topics, "
        "approvals and format from the licensure vocabularies. No completion in the future.",
        request=CreditWriteSerializer,
        responses={201: CreditSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = CreditWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credit = services.add_credit(request.user, **serializer.validated_data)
        return Response(CreditSerializer(credit).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["licensure"])
@extend_schema_view(**{k: v for k, v in _own("credit", CreditSerializer).items() if k != "patch"})
class MyCreditDetail(_Mine, generics.RetrieveDestroyAPIView):
    model = ExternalCredit
    serializer_class = CreditSerializer

    def perform_destroy(self, instance: ExternalCredit) -> None:
        services.delete_credit(instance)


@extend_schema(tags=["licensure"])
class MyCreditImport(generics.GenericAPIView):
    """Credits from a CSV file: all rows or none."""

    serializer_class = CreditImportUploadSerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        summary="Import credits from a CSV file",
        description="Sent as multipart/form-data. Every row is checked first; if any is wrong "
        "nothing is imported and each problem comes back with its row and column. The same "
        "file cannot be imported twice, and a row repeating a credit already on file is "
        "refused, so that nothing counts twice.",
        request={"multipart/form-data": CreditImportUploadSerializer},
        responses={
            201: CreditImportResultSerializer,
            400: OpenApiResponse(CreditImportErrorSerializer, description="Nothing imported."),
        },
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            imports.check_size(upload.size)  # before reading it
            record = imports.import_credits_csv(
                request.user, upload.read(), filename=upload.name or "credits.csv"
            )
        except imports.CreditImportError as exc:
            errors = [{"row": e.row, "column": e.column, "message": e.message} for e in exc.errors]
            return Response(
                {"detail": _("Nothing was imported."), "errors": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(CreditImportResultSerializer(record).data, status=status.HTTP_201_CREATED)


# --- your compliance ---------------------------------------------------------------------------


def licence_compliance(report: services.LicenceReport) -> dict:
    rs = report.requirement_set
    st = report.status
    requirements = []
    if st is not None:
        requirements = [
            {
                "id": r.id,
                "label": r.label,
                "kind": r.kind,
                "required": r.required,
                "counted": r.counted,
                "gap": r.gap,
                "met": r.met,
                "deadline": r.deadline,
                "confirmed": r.confirmed,
                "source_refs": list(r.source_refs),
                "notes": list(r.notes),
                "counted_from": [
                    {
                        "credit": services.credit_pk(cid),
                        "activity": platform.activity_of(cid),
                        "carried_in": cid == services.CARRIED_IN,
                        "amount": amount,
                    }
                    for cid, amount in r.counted_from
                ],
                "not_counted": [
                    {
                        "credit": services.credit_pk(cid),
                        "activity": platform.activity_of(cid),
                        "reason": why.value,
                    }
                    for cid, why in r.not_counted
                ],
            }
            for r in st.requirements
        ]
    return {
        "licence": report.licence,
        "requirement_set": {"id": rs.id, "label": services.set_label(rs)},
        "as_of": rs.as_of,
        "checked_on": rs.version,
        "confidence": rs.confidence,
        "verify_note": VERIFY,
        "confirmed": st is not None and all(r["confirmed"] for r in requirements),
        "window_start": st.window_start if st else None,
        "window_end": st.window_end if st else None,
        "due": st.due if st else None,
        "renewal_number": st.renewal_number if st else None,
        "compliant": st.compliant if st else None,
        "min_additional": st.min_additional if st else None,
        "exempt_reason": st.exempt_reason if st else None,
        "notes": list(st.notes) if st else [],
        "warnings": list(st.warnings) if st else [],
        "problem": report.problem,
        "requirements": requirements,
    }


@extend_schema(tags=["licensure"])
class MyCompliance(generics.GenericAPIView):
    """Where each of your licences stands today."""

    serializer_class = ComplianceSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Your compliance, licence by licence",
        description="For each licence: its renewal window and due date, and for each "
        "requirement what was counted, what is missing and why a credit did not count. "
        "Results with `confirmed: false` rest on rules the sources could not confirm: show "
        "them as unconfirmed, never as fact.",
    )
    def get(self, request, *args, **kwargs) -> Response:
        today = timezone.localdate()
        reports = services.reports(request.user, today=today)
        body = {"today": today, "licences": [licence_compliance(r) for r in reports]}
        return Response(ComplianceSerializer(body).data)


# --- an activity's audience needs, for its staff ----------------------------------------------


@extend_schema(tags=["licensure"])
class AudienceNeeds(TeamScopedView):
    """Which mandated topics the activity's registrants still need: counts only."""

    serializer_class = AudienceNeedsSerializer
    read_any = frozenset({Permission.REGISTRATION, Permission.REPORTS})
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Licensure topics the registrants still need",
        description="For teams with the registration or reports permission. Aggregates of "
        "the licences registrants keep here: per licensure topic, how many still need it, "
        "the hours missing and the sessions already carrying it. Counts below 5 read "
        '"fewer than 5"; their hours, requirement sets and mandates are left out, so that '
        "nobody is singled out.",
    )
    def get(self, request, *args, **kwargs) -> Response:
        today = timezone.localdate()
        summary, _worked_out = needs.cached_summary(self.activity, today=today)
        body = {
            "today": today,
            "registrants": summary.registrants,
            "with_licences": needs.shown(summary.with_licences),
            "not_evaluated": needs.shown(summary.not_evaluated) if summary.not_evaluated else "0",
            "verify_note": VERIFY,
            "needs": summary.needs,
        }
        return Response(AudienceNeedsSerializer(body).data)
