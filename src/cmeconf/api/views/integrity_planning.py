"""The planning file: checklist, review comments, amendments, the activity file, and the
disclosure learners are shown.

Thin: the checklist, comments and amendments come from activities.checklist and
activities.services.planning_review; the activity file from integrity.audit_file;
the learners' text from integrity.learner, generated and never typed [A6][A11].
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from cmeconf.activities import checklist
from cmeconf.activities.models import Amendment, ReviewComment
from cmeconf.activities.services import planning_review
from cmeconf.api.permissions import MEMBER
from cmeconf.api.serializers.integrity_planning import (
    AmendmentSerializer,
    ChecklistItemSerializer,
    LearnerDisclosureSerializer,
    ReviewCommentSerializer,
    ReviewCommentWriteSerializer,
)
from cmeconf.api.views.base import ActivityScopedView
from cmeconf.api.views.integrity_base import TeamScopedView
from cmeconf.integrity import audit_file, learner
from cmeconf.providers.permissions import Permission

COMMENTS = frozenset({Permission.PROGRAM, Permission.REVIEW})
ACTIVITY_FILE = frozenset({Permission.REPORTS, Permission.REVIEW})

COMMENT = OpenApiParameter(
    "comment", int, OpenApiParameter.PATH, description="The id of the review comment."
)


@extend_schema(tags=["planning"])
class ChecklistView(ActivityScopedView):
    """What the planning file must show, item by item, with its source (ACCME criteria)."""

    pagination_class = None  # one answer, not paginated
    serializer_class = ChecklistItemSerializer
    read_permission = MEMBER
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="The planning checklist", responses={200: ChecklistItemSerializer(many=True)}
    )
    def get(self, request, *args, **kwargs) -> Response:
        items = checklist.checklist(self.activity)
        return Response(ChecklistItemSerializer(items, many=True).data)


def _comments(activity) -> QuerySet[ReviewComment]:
    return (
        ReviewComment.objects.filter(activity=activity)
        .select_related("author", "resolved_by")
        .order_by("created", "id")
    )


@extend_schema(tags=["planning"])
class CommentList(mixins.ListModelMixin, TeamScopedView):
    """The review thread of the planning record (program or review permission)."""

    serializer_class = ReviewCommentSerializer
    read_any = COMMENTS
    write_any = COMMENTS

    def get_queryset(self) -> QuerySet[ReviewComment]:
        if getattr(self, "swagger_fake_view", False):
            return ReviewComment.objects.none()
        return _comments(self.activity)

    @extend_schema(summary="List review comments, oldest first")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    @extend_schema(
        summary="Add a review comment",
        description="From planning on; the activity's state is kept with the comment.",
        request=ReviewCommentWriteSerializer,
        responses={201: ReviewCommentSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = ReviewCommentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = planning_review.add_comment(
            self.activity, by=request.user, body=serializer.validated_data["body"]
        )
        comment = _comments(self.activity).get(pk=comment.pk)
        return Response(ReviewCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["planning"], parameters=[COMMENT])
class CommentResolve(TeamScopedView):
    serializer_class = ReviewCommentSerializer
    write_any = COMMENTS

    @extend_schema(
        summary="Mark a review comment as resolved",
        description="It stays in the thread.",
        request=None,
        responses={200: ReviewCommentSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        comment = get_object_or_404(_comments(self.activity), pk=self.kwargs["comment"])
        planning_review.resolve_comment(comment, by=request.user)
        comment = _comments(self.activity).get(pk=comment.pk)
        return Response(ReviewCommentSerializer(comment).data)


@extend_schema(tags=["planning"])
class AmendmentList(mixins.ListModelMixin, ActivityScopedView):
    """Changes made after approval: what, why, who, when, before and after [C5]."""

    serializer_class = AmendmentSerializer
    read_permission = MEMBER
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[Amendment]:
        if getattr(self, "swagger_fake_view", False):
            return Amendment.objects.none()
        return (
            Amendment.objects.filter(activity=self.activity)
            .select_related("made_by")
            .order_by("-made_at", "-id")
        )

    @extend_schema(summary="List amendments, newest first")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["planning"])
class ActivityFileView(TeamScopedView):
    """The accreditor's audit file: a PDF summary and the CSVs, in one ZIP [C5]."""

    read_any = ACTIVITY_FILE
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Download the activity file (ZIP)",
        description="summary.pdf, one CSV per record (disclosures, decisions, mitigations, "
        "agreements, ledger, learner disclosures as shown, audit trail ...) and a manifest "
        "of their SHA-256 sums. Each download is recorded in the audit trail.",
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="ZIP")
        },
    )
    def get(self, request, *args, **kwargs) -> HttpResponse:
        body = audit_file.activity_file_zip(self.activity)
        audit_file.record_export(self.activity, by=request.user, kind="zip", body=body, note="api")
        response = HttpResponse(body, content_type="application/zip")
        name = audit_file.file_name(self.activity, "zip")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


@extend_schema(tags=["planning"])
class LearnerDisclosureView(ActivityScopedView):
    """What learners are told about financial relationships and commercial support.

    Public for activities learners can see; each version served to them is kept [A3b].
    """

    serializer_class = LearnerDisclosureSerializer
    http_method_names = ["get", "head", "options"]

    @extend_schema(summary="The disclosure to learners, as they see it")
    def get(self, request, *args, **kwargs) -> Response:
        if self.activity.is_public:
            shown = learner.activity_disclosure_shown(self.activity, "api")
        else:  # a team previewing a draft: not yet shown to any learner
            shown = learner.activity_disclosure(self.activity)
        data = {
            "accredited": shown.accredited,
            "statement": shown.statement,
            "people": shown.people,
            "supporters_intro": shown.supporters_intro,
            "supporters": shown.supporters,
            "digest": shown.digest,
            "generated": shown.generated,
        }
        return Response(LearnerDisclosureSerializer(data).data)
