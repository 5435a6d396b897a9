"""Sessions of an activity: list with filters, create, read, change, move, remove, faculty."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from cmeconf.accounts.services import find_or_create_person
from cmeconf.activities.models import Session, SessionFaculty
from cmeconf.activities.services import program as services
from cmeconf.api.serializers.program import (
    FacultyAddSerializer,
    SessionFilterSerializer,
    SessionMoveSerializer,
    SessionSerializer,
    SessionWriteResultSerializer,
    SessionWriteSerializer,
)
from cmeconf.api.views.base import ActivityScopedView, warnings_for
from cmeconf.api.views.program import REASON_PARAMETER, removal_reason


def sessions_of(activity) -> QuerySet[Session]:
    """The activity's sessions with everything a session's representation shows."""
    return (
        Session.objects.filter(activity=activity)
        .select_related("room", "track")
        .prefetch_related(
            "topics",
            Prefetch("faculty", queryset=SessionFaculty.objects.select_related("person")),
        )
    )


class _SessionMixin:
    def written(self, session: Session, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The session as stored, with the schedule warnings that now concern it."""
        session = sessions_of(self.activity).get(pk=session.pk)
        context = self.get_serializer_context() | {"warnings": warnings_for(self.activity, session)}
        return Response(
            SessionWriteResultSerializer(session, context=context).data, status=status_code
        )

    def get_session(self) -> Session:
        session = sessions_of(self.activity).filter(code=self.kwargs["code"]).first()
        if session is None:
            raise Http404(_("No such session."))
        session.activity = self.activity
        return session


@extend_schema(tags=["sessions"])
class SessionList(mixins.ListModelMixin, _SessionMixin, ActivityScopedView):
    """The program's sessions, in time order, with filters; adding one needs program."""

    serializer_class = SessionSerializer
    validates_query = True

    def get_queryset(self) -> QuerySet[Session]:
        if getattr(self, "swagger_fake_view", False):
            return Session.objects.none()
        filters = SessionFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        qs = sessions_of(self.activity)
        if "day" in f:
            start = dt.datetime.combine(f["day"], dt.time.min, tzinfo=self.activity.tz)
            qs = qs.filter(start__gte=start, start__lt=start + dt.timedelta(days=1))
        if "room" in f:
            qs = qs.filter(room_id=f["room"])
        if "track" in f:
            qs = qs.filter(track_id=f["track"])
        if "format" in f:
            qs = qs.filter(format=f["format"])
        if "topic" in f:
            qs = qs.filter(topics__slug=f["topic"]).distinct()
        if f.get("scheduled") is not None:
            qs = qs.filter(start__isnull=not f["scheduled"])
        # Unscheduled sessions last on every database.
        return qs.order_by(F("start").asc(nulls_last=True), "room__order", "title", "pk")

    @extend_schema(summary="List sessions", parameters=[SessionFilterSerializer])
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Add a session",
        description="Double bookings and other schedule warnings do not refuse the session; "
        "they come back in `warnings`.",
        request=SessionWriteSerializer,
        responses={201: SessionWriteResultSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = SessionWriteSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        topics = fields.pop("topics", None)
        session = services.create_session(self.activity, by=request.user, topics=topics, **fields)
        return self.written(session, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["sessions"])
class SessionDetail(_SessionMixin, ActivityScopedView):
    """One session, by its code; changing or removing it needs the program permission."""

    serializer_class = SessionSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(summary="Read a session")
    def get(self, request, *args, **kwargs) -> Response:
        return Response(self.get_serializer(self.get_session()).data)

    @extend_schema(
        summary="Change a session",
        request=SessionWriteSerializer,
        responses={200: SessionWriteResultSerializer},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        session = self.get_session()
        serializer = SessionWriteSerializer(
            session, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        topics = fields.pop("topics", None)
        session = services.update_session(session, by=request.user, topics=topics, **fields)
        return self.written(session)

    @extend_schema(summary="Remove a session", parameters=[REASON_PARAMETER], responses={204: None})
    def delete(self, request, *args, **kwargs) -> Response:
        services.delete_session(self.get_session(), by=request.user, reason=removal_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["sessions"])
class SessionMove(_SessionMixin, ActivityScopedView):
    """Place a session at another time or in another room (program permission)."""

    serializer_class = SessionMoveSerializer

    @extend_schema(
        summary="Move a session to another time and/or room, keeping its length",
        request=SessionMoveSerializer,
        responses={200: SessionWriteResultSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        session = self.get_session()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        room = serializer.validated_data.get("room", session.room)
        session = services.move_session(
            session,
            by=request.user,
            start=serializer.validated_data["start"],
            room=room,
            reason=serializer.validated_data["reason"],
        )
        return self.written(session)


@extend_schema(tags=["sessions"])
class SessionFacultyView(_SessionMixin, ActivityScopedView):
    """The session's faculty: add by e-mail, remove by e-mail (program permission)."""

    serializer_class = FacultyAddSerializer

    @extend_schema(
        summary="Add a person to the session's faculty",
        description="The person is found by e-mail address, or created without a password "
        "(they set one later through a password reset).",
        request=FacultyAddSerializer,
        responses={201: SessionWriteResultSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        session = self.get_session()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A person created for a role that is then refused is rolled back with it.
        with transaction.atomic():
            person, _created = find_or_create_person(
                email=data["email"],
                by=request.user,
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            services.add_faculty(
                session, person, by=request.user, role=data["role"], reason=data["reason"]
            )
        return self.written(session, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Take a person off the session's faculty",
        parameters=[
            OpenApiParameter("email", str, required=True, description="The person's e-mail."),
            REASON_PARAMETER,
        ],
        request=None,
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        session = self.get_session()
        email = (request.query_params.get("email") or "").strip()
        if not email:
            raise serializers.ValidationError({"email": [_("Say whom to remove by e-mail.")]})
        link = (
            SessionFaculty.objects.filter(session=session, person__email__iexact=email)
            .select_related("person", "session")
            .first()
        )
        if link is None:
            raise Http404(_("That person is not on this session's faculty."))
        link.session.activity = self.activity
        services.remove_faculty(link, by=request.user, reason=removal_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
