"""Check-in for scanner devices: record scans (one, or an offline queue), counts, name search.

Thin: checkin.services decides what each scan means and keeps every scan. All of
it needs the registration permission, reading too (the scans name people). A
scan answers fast: the request's permissions are read once (permission_set
caches them on the user), and the answer is built from what the service loaded.
"""

from __future__ import annotations

import datetime as dt
import time

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response
from rest_framework.views import APIView

from cmeconf.activities.models import Activity, Session
from cmeconf.api.exceptions import validation_error_body
from cmeconf.api.permissions import ActivityScope
from cmeconf.api.serializers.checkin import (
    BATCH_MAX,
    KEY_MAX,
    BatchItemSerializer,
    BatchScanWriteSerializer,
    CheckinRegistrantSerializer,
    CountsFilterSerializer,
    CountsSerializer,
    ScanFilterSerializer,
    ScanOutcomeSerializer,
    ScanSerializer,
    ScanWriteSerializer,
    SearchFilterSerializer,
)
from cmeconf.api.views.base import ActivityScopedView
from cmeconf.checkin import services
from cmeconf.checkin.models import Scan
from cmeconf.providers.permissions import Permission, permission_set
from cmeconf.registration.models import Registration

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Unique per scan, made on the device when the badge is read (a UUID). A scan "
    "sent again with the same key, by the same account, is answered with the first outcome "
    "(200, replayed true) and recorded once. Required in practice for devices that queue "
    f"scans offline or retry; at most {KEY_MAX} characters.",
)


# A scanner's activity and permissions, remembered for a few seconds in this process:
# scanners call several times a second. A permission taken away stops within SCOPE_TTL.
SCOPE_TTL = 5.0
_SCANNER_SCOPES: dict[tuple, tuple[float, Activity, frozenset]] = {}


class _CheckinView(ActivityScopedView):
    read_permission = Permission.REGISTRATION
    write_permission = Permission.REGISTRATION

    def initial(self, request, *args, **kwargs) -> None:
        """A scanner allowed to scan costs two queries: the activity and its teams.

        The shared scoping (ActivityScopedView) looks up the provider, the
        activity and the caller's teams one question at a time; a scan comes
        several times a second from each door. When the caller's teams grant
        the registration permission for the activity, they cover it and may
        read and write here, which is all this view needs to know. Anyone else
        goes through the shared scoping, which answers 404, 403 or 401 exactly
        as everywhere else.
        """
        APIView.initial(self, request, *args, **kwargs)  # authentication; anonymous writes: 401
        user = request.user
        key = (getattr(user, "pk", None), kwargs["provider"], kwargs["activity"])
        now = time.monotonic()
        hit = _SCANNER_SCOPES.get(key) if user.is_authenticated else None
        if hit is not None and hit[0] > now:
            _expires, activity, perms = hit
            # What permission_set would have answered: record_scan asks it again.
            user.__dict__.setdefault("_cmeconf_perm_cache", {})[
                (activity.provider_id, activity.pk)
            ] = perms
        else:
            activity = (
                Activity.objects.select_related("provider")
                .filter(provider__slug=kwargs["provider"], slug=kwargs["activity"])
                .first()
            )
            perms = permission_set(user, activity.provider, activity) if activity else frozenset()
            if Permission.REGISTRATION in perms:
                if len(_SCANNER_SCOPES) >= 10_000:
                    _SCANNER_SCOPES.clear()
                _SCANNER_SCOPES[key] = (now + SCOPE_TTL, activity, perms)
        if activity is not None and Permission.REGISTRATION in perms:
            self.provider = activity.provider
            self.activity = activity
            self.scope = ActivityScope(self.provider, activity, is_staff=True, perms=perms)
            return
        super().initial(request, *args, **kwargs)

    def _session(self, code: str) -> Session:
        # A queue flush names a handful of sessions many times: look each up once.
        cache = self.__dict__.setdefault("_sessions", {})
        if code not in cache:
            session = Session.objects.filter(activity=self.activity, code=code).first()
            if session is None:
                raise ValidationError(
                    {"session": [_("No session of this conference has that code.")]}
                )
            session.activity = self.activity
            cache[code] = session
        return cache[code]

    def record(self, data: dict, idempotency_key: str | None) -> services.ScanOutcome:
        """Record one validated scan through the service; ValidationError when malformed."""
        session = self._session(data["session"]) if data.get("session") else None
        registration = None
        if "registration" in data:
            registration = Registration.objects.filter(
                activity=self.activity, pk=data["registration"]
            ).first()
            if registration is None:
                raise ValidationError(
                    {"registration": [_("No registrant of this conference has this id.")]}
                )
        token = data.get("token")
        return services.record_scan(
            self.activity,
            by=self.request.user,
            kind=data["kind"],
            # A blank token is a badge the camera read as nothing: an unknown badge.
            token=token if token is not None or registration is not None else None,
            registration=registration,
            session=session,
            scanned_at=data.get("scanned_at"),
            device=data.get("device", ""),
            method=data.get("method", "badge"),
            idempotency_key=idempotency_key,
        )

    def outcome_data(self, outcome: services.ScanOutcome) -> dict:
        return ScanOutcomeSerializer(outcome, context=self.get_serializer_context()).data


@extend_schema(tags=["check-in"])
class ScanList(mixins.ListModelMixin, _CheckinView):
    """Badge scans: record one, or read the latest (newest first)."""

    serializer_class = ScanSerializer
    validates_query = True

    def get_queryset(self) -> QuerySet[Scan]:
        if getattr(self, "swagger_fake_view", False):
            return Scan.objects.none()
        filters = ScanFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        qs = Scan.objects.filter(activity=self.activity)
        if "session" in filters.validated_data:
            qs = qs.filter(session=self._session(filters.validated_data["session"]))
        if "kind" in filters.validated_data:
            qs = qs.filter(kind=filters.validated_data["kind"])
        return qs.select_related(
            "registration__person", "registration__registration_type", "session", "recorded_by"
        ).order_by("-received_at", "-id")

    @extend_schema(summary="List the latest scans", parameters=[ScanFilterSerializer])
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Record a badge scan",
        description="Entry to the conference (kind entry, no session) or into and out of a "
        "session (kind in or out, with its code). A refused badge is still a scan: it is "
        "recorded and answered with 201 and admitted false; 400 is for malformed requests, "
        "which record nothing.",
        parameters=[IDEMPOTENCY_KEY],
        request=ScanWriteSerializer,
        responses={
            201: OpenApiResponse(ScanOutcomeSerializer, description="Recorded."),
            200: OpenApiResponse(
                ScanOutcomeSerializer,
                description="Sent before with this Idempotency-Key: the first answer, "
                "nothing recorded.",
            ),
        },
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = ScanWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > KEY_MAX:
            raise ValidationError(
                {"idempotency_key": [_("At most %(n)d characters.") % {"n": KEY_MAX}]}
            )
        outcome = self.record(serializer.validated_data, key or None)
        code = status.HTTP_200_OK if outcome.replayed else status.HTTP_201_CREATED
        return Response(self.outcome_data(outcome), status=code)


@extend_schema(tags=["check-in"])
class ScanBatch(_CheckinView):
    """An offline scanner's queue, sent in one request."""

    serializer_class = BatchItemSerializer

    @extend_schema(
        summary="Record a queue of scans",
        description="Each scan carries its own idempotency_key and is recorded on its own, "
        "in the order sent. The answer lists one result per scan in the same order: status "
        "201 (recorded), 200 (sent before: the first answer) or 400 (malformed: not recorded, "
        "with errors). Sending the same queue again is safe. 400 for the whole request only "
        f"when it is not a list of 1 to {BATCH_MAX} objects.",
        request=BatchScanWriteSerializer(many=True),
        responses={200: BatchItemSerializer(many=True)},
    )
    def post(self, request, *args, **kwargs) -> Response:
        items = request.data
        if not isinstance(items, list) or not items or len(items) > BATCH_MAX:
            raise ValidationError(
                {"non_field_errors": [_("Send a list of 1 to %(n)d scans.") % {"n": BATCH_MAX}]}
            )
        context = self.get_serializer_context()
        answers = []
        for item in items:
            key = item.get("idempotency_key") if isinstance(item, dict) else None
            answer = {"status": 400, "idempotency_key": key, "scan": None, "errors": None}
            serializer = BatchScanWriteSerializer(data=item, context=context)
            if not serializer.is_valid():
                answer["errors"] = serializer.errors
            else:
                data = serializer.validated_data
                try:
                    outcome = self.record(data, data["idempotency_key"].strip() or None)
                except ValidationError as e:
                    answer["errors"] = validation_error_body(e)
                else:
                    answer["status"] = 200 if outcome.replayed else 201
                    answer["scan"] = self.outcome_data(outcome)
            answers.append(answer)
        return Response(answers, status=status.HTTP_200_OK)


@extend_schema(tags=["check-in"])
class CheckinCountsView(_CheckinView):
    """The check-in dashboard's numbers."""

    serializer_class = CountsSerializer
    validates_query = True

    @extend_schema(
        summary="Arrivals and who is in each session",
        description="Registrants expected in person and arrived; for each scheduled session "
        "(or those of one day), who is in it now and how many checked in.",
        parameters=[CountsFilterSerializer],
    )
    def get(self, request, *args, **kwargs) -> Response:
        filters = CountsFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        sessions = None
        if "day" in filters.validated_data:
            start = dt.datetime.combine(
                filters.validated_data["day"], dt.time.min, tzinfo=self.activity.tz
            )
            sessions = self.activity.sessions.filter(
                start__gte=start, start__lt=start + dt.timedelta(days=1)
            ).order_by("start", "id")
        counts = services.checkin_counts(self.activity, sessions=sessions)
        return Response(CountsSerializer(counts, context=self.get_serializer_context()).data)


@extend_schema(tags=["check-in"])
class RegistrantSearch(_CheckinView):
    """Find a registrant by name or e-mail, for checking in someone without a badge."""

    serializer_class = CheckinRegistrantSerializer
    validates_query = True

    @extend_schema(
        summary="Search registrants",
        description="At most 20, by last name. Cancelled and wait-listed people are found too, "
        "so the desk sees why they cannot come in. Check one in by sending their registration "
        "id to scans/ with method search.",
        parameters=[SearchFilterSerializer],
        responses={200: CheckinRegistrantSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        filters = SearchFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        found = services.search_registrants(self.activity, filters.validated_data["q"])
        context = self.get_serializer_context()
        return Response(CheckinRegistrantSerializer(found, many=True, context=context).data)
