"""Read-only views of the whole program: schedule, faculty, schedule warnings."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.response import Response

from cmeconf.accounts.models import User
from cmeconf.activities.models import Session, SessionFaculty
from cmeconf.api.permissions import MEMBER
from cmeconf.api.serializers.program import FacultyMemberSerializer, ScheduleWarningSerializer
from cmeconf.api.serializers.schedule import ScheduleSerializer
from cmeconf.api.views.base import ActivityScopedView, warnings_for


@extend_schema(tags=["schedule"])
class ScheduleView(ActivityScopedView):
    """Days, rooms, tracks and scheduled sessions, times with the activity's UTC offset."""

    serializer_class = ScheduleSerializer
    http_method_names = ["get", "head", "options"]

    @extend_schema(summary="The whole program")
    def get(self, request, *args, **kwargs) -> Response:
        activity = self.activity
        sessions = (
            Session.objects.filter(activity=activity, start__isnull=False)
            .select_related("room", "track")
            .prefetch_related(
                "topics",
                Prefetch("faculty", queryset=SessionFaculty.objects.select_related("person")),
            )
            .order_by("start", "room__order", "title", "pk")
        )
        by_day: dict = {day: [] for day in activity.days}
        for session in sessions:
            by_day.setdefault(session.start.astimezone(activity.tz).date(), []).append(session)
        data = {
            "activity": activity,
            "days": [{"date": day, "sessions": by_day[day]} for day in sorted(by_day)],
            "rooms": activity.rooms.order_by("order", "name"),
            "tracks": activity.tracks.order_by("order", "name"),
        }
        return Response(self.get_serializer(data).data)


@extend_schema(tags=["schedule"])
class WarningList(ActivityScopedView):
    """Double-booked rooms and people, sessions outside the dates, rooms too small."""

    serializer_class = ScheduleWarningSerializer
    read_permission = MEMBER
    http_method_names = ["get", "head", "options"]
    pagination_class = None

    @extend_schema(summary="Schedule warnings", responses=ScheduleWarningSerializer(many=True))
    def get(self, request, *args, **kwargs) -> Response:
        return Response(self.get_serializer(warnings_for(self.activity), many=True).data)


@extend_schema(tags=["schedule"])
class FacultyList(mixins.ListModelMixin, ActivityScopedView):
    """People with a faculty role in the activity; e-mail addresses for its teams only."""

    serializer_class = FacultyMemberSerializer
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[User]:
        if getattr(self, "swagger_fake_view", False):
            return User.objects.none()
        roles = (
            SessionFaculty.objects.filter(session__activity=self.activity)
            .select_related("session")
            .order_by("session__start", "session__title", "pk")
        )
        return (
            User.objects.filter(faculty_roles__session__activity=self.activity)
            .distinct()
            .order_by("last_name", "first_name", "pk")
            .prefetch_related(Prefetch("faculty_roles", queryset=roles, to_attr="activity_roles"))
        )

    @extend_schema(summary="Faculty of the activity")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)
