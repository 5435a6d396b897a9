"""Rooms and tracks of an activity."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from cmeconf.activities.models import Room, Track
from cmeconf.activities.services import program as services
from cmeconf.api.serializers.program import ReasonSerializer, RoomSerializer, TrackSerializer
from cmeconf.api.views.base import ActivityScopedView

REASON_PARAMETER = OpenApiParameter(
    "reason",
    str,
    required=False,
    description="Why it is removed; required once the activity is approved (an amendment).",
)


def removal_reason(request) -> str:
    """The reason of a DELETE, from the query string or a JSON body."""
    # Other query parameters (a faculty member's e-mail) belong to the endpoint itself.
    data = {"reason": request.query_params["reason"]} if "reason" in request.query_params else {}
    if isinstance(request.data, dict):
        data |= request.data
    serializer = ReasonSerializer(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["reason"]


class _ListCreate(mixins.ListModelMixin, ActivityScopedView):
    """The activity's items of one kind; adding one needs the program permission."""

    model: type
    create: Callable  # the service adding one (a staticmethod)

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(activity=self.activity).order_by("order", "name")

    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        obj = self.create(self.activity, by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)


class _Detail(ActivityScopedView):
    """One item of the activity; changing or removing it needs the program permission."""

    model: type
    update: Callable  # the services changing and removing one (staticmethods)
    delete_: Callable
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self):
        obj = get_object_or_404(self.model, activity=self.activity, pk=self.kwargs["pk"])
        obj.activity = self.activity
        return obj

    def get(self, request, *args, **kwargs) -> Response:
        return Response(self.get_serializer(self.get_object()).data)

    def patch(self, request, *args, **kwargs) -> Response:
        obj = self.get_object()
        serializer = self.get_serializer(obj, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        obj = self.update(obj, by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(obj).data)

    def delete(self, request, *args, **kwargs) -> Response:
        self.delete_(self.get_object(), by=request.user, reason=removal_reason(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="List rooms"),
    post=extend_schema(summary="Add a room"),
)
@extend_schema(tags=["program"])
class RoomList(_ListCreate):
    model = Room
    serializer_class = RoomSerializer
    create = staticmethod(services.create_room)


@extend_schema_view(
    get=extend_schema(summary="Read a room"),
    patch=extend_schema(summary="Change a room"),
    delete=extend_schema(
        summary="Remove a room (its sessions become unassigned)", parameters=[REASON_PARAMETER]
    ),
)
@extend_schema(tags=["program"])
class RoomDetail(_Detail):
    model = Room
    serializer_class = RoomSerializer
    update = staticmethod(services.update_room)
    delete_ = staticmethod(services.delete_room)


@extend_schema_view(
    get=extend_schema(summary="List tracks"),
    post=extend_schema(summary="Add a track"),
)
@extend_schema(tags=["program"])
class TrackList(_ListCreate):
    model = Track
    serializer_class = TrackSerializer
    create = staticmethod(services.create_track)


@extend_schema_view(
    get=extend_schema(summary="Read a track"),
    patch=extend_schema(summary="Change a track"),
    delete=extend_schema(
        summary="Remove a track (its sessions keep going without one)",
        parameters=[REASON_PARAMETER],
    ),
)
@extend_schema(tags=["program"])
class TrackDetail(_Detail):
    model = Track
    serializer_class = TrackSerializer
    update = staticmethod(services.update_track)
    delete_ = staticmethod(services.delete_track)
