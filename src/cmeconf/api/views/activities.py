"""Activities: list, create, read, change, lifecycle steps and the planning record."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from cmeconf.activities import lifecycle
from cmeconf.activities.choices import PUBLIC_STATES
from cmeconf.activities.models import Activity, PlanningRecord
from cmeconf.activities.services import activities as services
from cmeconf.api.exceptions import validation_error_body
from cmeconf.api.permissions import MEMBER, covers
from cmeconf.api.serializers.activities import (
    ActivityDetailSerializer,
    ActivityListSerializer,
    ActivityWriteSerializer,
    PlanningSerializer,
    TransitionErrorSerializer,
    TransitionInputSerializer,
)
from cmeconf.api.views.base import ActivityScopedView, ProviderScopedView
from cmeconf.providers.permissions import (
    Permission,
    is_provider_member,
    permission_set,
    staff_activities,
)


def _detail(view, activity: Activity, *, status_code: int = status.HTTP_200_OK) -> Response:
    scope = getattr(view, "scope", None)
    if scope is not None:
        is_staff, perms = scope.is_staff, scope.perms
    else:  # just created: what do the caller's teams allow there?
        is_staff = covers(view.request.user, view.provider, activity)
        perms = permission_set(view.request.user, view.provider, activity)
    context = view.get_serializer_context() | {"is_staff": is_staff, "perms": perms}
    return Response(ActivityDetailSerializer(activity, context=context).data, status=status_code)


@extend_schema(tags=["activities"])
class ActivityList(mixins.ListModelMixin, ProviderScopedView):
    """The provider's activities: public ones for everyone, any state for its teams."""

    serializer_class = ActivityListSerializer

    def get_queryset(self) -> QuerySet[Activity]:
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        visible = Q(state__in=PUBLIC_STATES)
        if is_provider_member(self.request.user, self.provider):
            visible |= Q(pk__in=staff_activities(self.request.user, self.provider).values("pk"))
        return (
            Activity.objects.filter(visible, provider=self.provider)
            .select_related("provider")
            .order_by("-start_date", "title")
        )

    @extend_schema(summary="List activities")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Create an activity (in draft)",
        request=ActivityWriteSerializer,
        responses={201: ActivityDetailSerializer},
        description="Needs the program permission through a team covering all activities.",
    )
    def post(self, request, *args, **kwargs) -> Response:
        if Permission.PROGRAM not in permission_set(request.user, self.provider):
            self.permission_denied(request, message=_("Your teams do not allow this."))
        serializer = ActivityWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("reason", None)  # a new activity is a draft: nothing to amend
        activity = services.create_activity(self.provider, by=request.user, **fields)
        return _detail(self, activity, status_code=status.HTTP_201_CREATED)


@extend_schema(tags=["activities"])
class ActivityDetail(ActivityScopedView):
    """One activity; for its teams also their permissions and the next lifecycle steps."""

    serializer_class = ActivityDetailSerializer
    http_method_names = ["get", "patch", "head", "options"]

    @extend_schema(summary="Read an activity")
    def get(self, request, *args, **kwargs) -> Response:
        return _detail(self, self.activity)

    @extend_schema(
        summary="Change an activity",
        description="Once the activity is approved, `reason` is required (400 without it) "
        "and the change is kept as an amendment.",
        request=ActivityWriteSerializer,
        responses={200: ActivityDetailSerializer},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        serializer = ActivityWriteSerializer(self.activity, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        activity = services.update_activity(
            self.activity, by=request.user, **serializer.validated_data
        )
        return _detail(self, activity)


@extend_schema(tags=["activities"])
class ActivityTransition(ActivityScopedView):
    """One step of the lifecycle; the step's own permission is checked by the service."""

    serializer_class = TransitionInputSerializer
    write_permission = MEMBER

    @extend_schema(
        summary="Take a lifecycle step",
        request=TransitionInputSerializer,
        responses={
            200: ActivityDetailSerializer,
            400: OpenApiResponse(TransitionErrorSerializer, description="The step's blockers."),
            403: OpenApiResponse(description="Your teams lack the step's permission."),
        },
    )
    def post(self, request, *args, name: str, **kwargs) -> Response:
        if name not in lifecycle.TRANSITIONS:
            raise Http404(_("No such lifecycle step."))
        serializer = TransitionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            activity = services.transition(
                self.activity, name, by=request.user, note=serializer.validated_data["note"]
            )
        except ValidationError as exc:
            return Response(
                {
                    "detail": _("This step cannot be taken yet."),
                    "blockers": [m for ms in validation_error_body(exc).values() for m in ms],
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        activity.provider = self.provider
        return _detail(self, activity)


@extend_schema(tags=["activities"])
class PlanningDetail(ActivityScopedView):
    """The planning record (gap, needs, intended change) and the learning objectives."""

    serializer_class = PlanningSerializer
    read_permission = MEMBER
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self) -> PlanningRecord:
        planning = PlanningRecord.objects.filter(activity=self.activity).first()
        if planning is None:
            # Activities made before planning records existed: show an empty one.
            planning = PlanningRecord(activity=self.activity)
        planning.activity = self.activity
        return planning

    @extend_schema(summary="Read the planning record")
    def get(self, request, *args, **kwargs) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        summary="Change the planning record and objectives",
        description="Once the activity is approved, `reason` is required (400 without it) "
        "and the change is kept as an amendment.",
    )
    def patch(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        objectives = fields.pop("objectives", None)
        reason = fields.pop("reason", "")
        with transaction.atomic():  # record and objectives change together or not at all
            if fields:
                services.update_planning_record(
                    self.activity, by=request.user, reason=reason, **fields
                )
            if objectives is not None:
                services.set_objectives(self.activity, objectives, by=request.user, reason=reason)
        return Response(self.get_serializer(self.get_object()).data)
