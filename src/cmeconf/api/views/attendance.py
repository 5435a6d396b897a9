"""Attendance of a session: minutes per learner, report imports, adjustments, voiding.

Thin: every change goes through attendance.services, which checks the "registration"
permission and writes the audit trail; intervals are never edited or deleted [C5].
Reading needs the registration, credit or reports permission, as the staff pages do.
"""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from cmeconf.accounts.models import User
from cmeconf.activities.models import Session
from cmeconf.api.serializers.attendance import (
    AdjustmentSerializer,
    AttendanceFilterSerializer,
    ImportSerializer,
    ImportUploadSerializer,
    IntervalSerializer,
    IntervalVoidSerializer,
    LearnerAttendanceSerializer,
)
from cmeconf.api.views.integrity_base import TeamScopedView
from cmeconf.attendance import services
from cmeconf.attendance.models import AttendanceImport, AttendanceInterval
from cmeconf.providers.permissions import Permission
from cmeconf.registration.models import Registration

READ = frozenset({Permission.REGISTRATION, Permission.CREDIT, Permission.REPORTS})
WRITE = frozenset({Permission.REGISTRATION})

INTERVAL = OpenApiParameter(
    "interval", int, OpenApiParameter.PATH, description="The id of the attendance interval."
)


class _AttendanceView(TeamScopedView):
    read_any = READ
    write_any = WRITE

    def session(self) -> Session:
        session = Session.objects.filter(activity=self.activity, code=self.kwargs["code"]).first()
        if session is None:
            raise Http404(_("No such session."))
        session.activity = self.activity
        return session


def _intervals() -> QuerySet[AttendanceInterval]:
    return AttendanceInterval.objects.select_related("recorded_by").order_by("start", "id")


@extend_schema(tags=["attendance"])
class SessionAttendance(mixins.ListModelMixin, _AttendanceView):
    """Who attended the session and for how many minutes, with the intervals behind them."""

    serializer_class = LearnerAttendanceSerializer
    validates_query = True
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> list[dict]:
        if getattr(self, "swagger_fake_view", False):
            return []
        filters = AttendanceFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        session = self.session()
        by_person: dict[int, list] = defaultdict(list)
        for interval in _intervals().filter(session=session):
            by_person[interval.person_id].append(interval)
        people = User.objects.filter(pk__in=by_person).order_by("last_name", "first_name", "id")
        for word in filters.validated_data.get("q", "").split():
            people = people.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(email__icontains=word)
            )
        minutes = services.minutes_by_person(session)
        return [
            {"person": p, "minutes": minutes.get(p.pk, 0), "intervals": by_person[p.pk]}
            for p in people
        ]

    @extend_schema(
        summary="Minutes attended per learner",
        description="Every source (scans, Zoom, Teams, virtual presence, adjustments) merged "
        "and clipped to the session; voided intervals are listed but count nothing.",
        parameters=[AttendanceFilterSerializer],
    )
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["attendance"])
class ImportList(mixins.ListModelMixin, _AttendanceView):
    """Participant reports imported for the session."""

    serializer_class = ImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[AttendanceImport]:
        if getattr(self, "swagger_fake_view", False):
            return AttendanceImport.objects.none()
        return AttendanceImport.objects.filter(session=self.session()).select_related("imported_by")

    @extend_schema(summary="List the reports imported for the session, newest first")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Import a Zoom or Teams participant report",
        description="Sent as multipart/form-data. All or nothing: a broken file imports "
        "nothing and every problem is named (with its line). Rows are matched to accounts by "
        "e-mail; the rows that match nobody are returned under unmatched. The same file "
        "cannot be imported twice for a session.",
        request={"multipart/form-data": ImportUploadSerializer},
        responses={201: ImportSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        session = self.session()
        serializer = ImportUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        record = services.import_report(
            session,
            source=data["source"],
            filename=upload.name or "",
            content=upload.read(),
            by=request.user,
            tz=data["time_zone"],
        )
        record = AttendanceImport.objects.select_related("imported_by").get(pk=record.pk)
        context = self.get_serializer_context()
        return Response(
            ImportSerializer(record, context=context).data, status=status.HTTP_201_CREATED
        )


@extend_schema(tags=["attendance"])
class AdjustmentList(_AttendanceView):
    serializer_class = AdjustmentSerializer

    @extend_schema(
        summary="Add attendance that no source recorded",
        description="For a registrant of the activity, with a reason (a scanner that was "
        "down); the interval must overlap the session.",
        request=AdjustmentSerializer,
        responses={201: IntervalSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        session = self.session()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        registration = (
            Registration.objects.filter(activity=self.activity, person__email__iexact=data["email"])
            .select_related("person")
            .first()
        )
        if registration is None:
            raise ValidationError(
                {"email": _("Nobody registered for this activity has this e-mail address.")}
            )
        interval = services.add_adjustment(
            session,
            registration.person,
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            by=request.user,
        )
        interval = _intervals().get(pk=interval.pk)
        return Response(
            IntervalSerializer(interval, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["attendance"], parameters=[INTERVAL])
class IntervalVoid(_AttendanceView):
    serializer_class = IntervalVoidSerializer

    @extend_schema(
        summary="Void an interval",
        description="It stays on record, with the reason, and counts no minutes.",
        request=IntervalVoidSerializer,
        responses={200: IntervalSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        interval = get_object_or_404(
            AttendanceInterval.objects.select_related("session"),
            pk=self.kwargs["interval"],
            session__activity=self.activity,
        )
        interval.session.activity = self.activity
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.void_interval(
            interval, reason=serializer.validated_data["reason"], by=request.user
        )
        interval = _intervals().get(pk=interval.pk)
        return Response(IntervalSerializer(interval, context=self.get_serializer_context()).data)
