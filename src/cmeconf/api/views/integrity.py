"""Ineligible companies, disclosures, conflict-of-interest review and learners' consent.

Thin: each view scopes, validates and calls the integrity services the pages call
(companies, services, review, roster, invitations, consent), which hold the rules
of Standards 2 and 3 [A4][A5][A6][A7][A7b][A17].
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cmeconf.activities.models import Activity
from cmeconf.api.permissions import resolve_activity, resolve_provider
from cmeconf.api.serializers.integrity import (
    CompanyImportErrorSerializer,
    CompanyImportResultSerializer,
    CompanyImportSerializer,
    CompanySearchSerializer,
    CompanySerializer,
    CompanyWriteSerializer,
    ConsentSerializer,
    ConsentStateSerializer,
    DecisionInputSerializer,
    DisclosureRefuseSerializer,
    DisclosureSubmitSerializer,
    ExceptionInputSerializer,
    ExceptionSerializer,
    InvitationResultSerializer,
    MitigationInputSerializer,
    MitigationSerializer,
    MyDisclosureSerializer,
    ReviewedRelationshipSerializer,
    ReviewSummarySerializer,
    RosterMemberSerializer,
)
from cmeconf.api.views.integrity_base import TeamScopedView, has_anywhere
from cmeconf.integrity import companies, consent, gate, invitations, review, roster, services
from cmeconf.integrity.choices import DisclosureState
from cmeconf.integrity.models import (
    FinancialRelationship,
    Mitigation,
    OwnerEmployeeException,
    SharingConsent,
)
from cmeconf.providers.models import Provider
from cmeconf.providers.permissions import Permission

REVIEW = frozenset({Permission.REVIEW})
# The Disclosures tab opens to reviewers and to the program team [A5].
ROSTER = frozenset({Permission.REVIEW, Permission.PROGRAM})

FORBIDDEN = OpenApiResponse(description="Your teams do not allow this.")


def may_add_companies(user) -> bool:
    """Disclosure reviewers of any provider keep the registry of ineligible companies [A2]."""
    if user.is_superuser:
        return True
    providers = Provider.objects.filter(teams__members=user).distinct()
    return any(has_anywhere(user, provider, Permission.REVIEW) for provider in providers)


# --- the registry of ineligible companies -----------------------------------------------------


@extend_schema(tags=["companies"])
class CompanyList(generics.GenericAPIView):
    """The registry of ineligible companies [A2]: search it, add to it."""

    pagination_class = None  # one answer, not paginated
    serializer_class = CompanySerializer
    permission_classes = [IsAuthenticated]
    validates_query = True

    @extend_schema(
        summary="Search ineligible companies",
        description="Companies whose name or another name contains `q`, those starting with "
        "it first.",
        parameters=[CompanySearchSerializer],
        responses={200: CompanySerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        query = CompanySearchSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        found = companies.search_companies(
            query.validated_data["q"], limit=query.validated_data["limit"]
        )
        return Response(CompanySerializer(found, many=True).data)

    @extend_schema(
        summary="Add an ineligible company",
        description="For disclosure reviewers (of any provider). A name or alias that matches "
        "a company already in the registry is refused, naming that company.",
        request=CompanyWriteSerializer,
        responses={201: CompanySerializer, 403: FORBIDDEN},
    )
    def post(self, request, *args, **kwargs) -> Response:
        if not may_add_companies(request.user):
            self.permission_denied(request, message=_("Your teams do not allow this."))
        serializer = CompanyWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        company = companies.add_company(by=request.user, **serializer.validated_data)
        company = companies.find_company(company.name)  # with its aliases
        return Response(CompanySerializer(company).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["companies"])
class CompanyImport(generics.GenericAPIView):
    """Import companies from CSV: all rows or none."""

    serializer_class = CompanyImportSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Import ineligible companies from CSV",
        description="Every row is checked first; if any is wrong nothing is imported and each "
        "problem comes back with its row and column. Rows repeating a registered company "
        "exactly are skipped, so importing the same file twice changes nothing.",
        request=CompanyImportSerializer,
        responses={
            200: CompanyImportResultSerializer,
            400: OpenApiResponse(CompanyImportErrorSerializer, description="Nothing imported."),
            403: FORBIDDEN,
        },
    )
    def post(self, request, *args, **kwargs) -> Response:
        if not may_add_companies(request.user):
            self.permission_denied(request, message=_("Your teams do not allow this."))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = companies.import_companies_csv(serializer.validated_data["csv"], by=request.user)
        if not result.ok:
            errors = [
                {"row": e.row, "column": e.column, "message": e.message} for e in result.errors
            ]
            return Response(
                {"detail": _("Nothing was imported."), "errors": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response({"created": result.created, "already_present": result.already_present})


# --- a person's own disclosure ----------------------------------------------------------------


def _my_disclosure(person) -> dict:
    """The person's current disclosure and where it leaves them in each role still to come."""
    current = services.current_disclosure(person)
    today = timezone.localdate()
    activities = (
        Activity.objects.filter(
            Q(sessions__faculty__person=person) | Q(planners__person=person),
            end_date__gte=today,
        )
        .distinct()
        .select_related("provider")
        .order_by("start_date", "pk")
    )
    roles = []
    for activity in activities:
        for member in roster.content_controllers(activity, only={person.pk}):
            roles.append(
                {
                    "provider": activity.provider.slug,
                    "activity": activity.slug,
                    "title": activity.title,
                    "roles": member.roles,
                    "role_start": member.role_start,
                    "blockers": member.blockers,
                }
            )
    return {
        "current": current,
        "blockers": services.disclosure_blockers(current, today),
        "roles": roles,
        "attestation": services.attestation_text(),
    }


@extend_schema(tags=["disclosure"])
class MyDisclosure(generics.GenericAPIView):
    """Your own disclosure: nobody reads or changes another person's here [A5]."""

    serializer_class = MyDisclosureSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(summary="Your current disclosure and what still blocks your roles")
    def get(self, request, *args, **kwargs) -> Response:
        return Response(MyDisclosureSerializer(_my_disclosure(request.user)).data)

    @extend_schema(
        summary="Submit a disclosure",
        description="Every financial relationship with an ineligible company in the past 24 "
        "months, in any amount [A5]; an empty list says there were none. It replaces your "
        "current disclosure for every activity.",
        request=DisclosureSubmitSerializer,
        responses={201: MyDisclosureSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = DisclosureSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.submit_disclosure(
            request.user,
            by=request.user,
            relationships=[dict(item) for item in data["relationships"]],
            attested=data["attested"],
        )
        return Response(
            MyDisclosureSerializer(_my_disclosure(request.user)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["disclosure"])
class MyDisclosureRefusal(generics.GenericAPIView):
    """Refusing to disclose is recorded like a disclosure, and disqualifies [A17]."""

    serializer_class = DisclosureRefuseSerializer
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Refuse to disclose",
        request=DisclosureRefuseSerializer,
        responses={201: MyDisclosureSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not serializer.validated_data["confirm"]:
            return Response(
                {"confirm": [_("Confirm that you refuse to disclose.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        services.refuse_disclosure(request.user, by=request.user)
        return Response(
            MyDisclosureSerializer(_my_disclosure(request.user)).data,
            status=status.HTTP_201_CREATED,
        )


# --- consent to share one's details with companies ----------------------------------------------


@extend_schema(tags=["consent"])
class MyConsentList(generics.ListAPIView):
    """Your consents to share your details with ineligible companies [A4], as given."""

    serializer_class = ConsentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SharingConsent.objects.none()
        return (
            SharingConsent.objects.filter(person=self.request.user)
            .select_related("activity__provider")
            .order_by("-given_at", "-id")
        )

    @extend_schema(summary="Your consents, those withdrawn too")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["consent"])
class MyConsent(generics.GenericAPIView):
    """Your consent for one activity: optional, and you can withdraw it at any time [A4]."""

    serializer_class = ConsentStateSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "put", "delete", "head", "options"]

    def _activity(self) -> Activity:
        provider = resolve_provider(self.kwargs["provider"])
        return resolve_activity(self.request.user, provider, self.kwargs["activity"]).activity

    def _state(self, activity: Activity) -> dict:
        return {
            "wording": consent.consent_wording(activity),
            "consent": consent.open_consent(self.request.user, activity),
        }

    @extend_schema(summary="The consent question and your answer")
    def get(self, request, *args, **kwargs) -> Response:
        return Response(ConsentStateSerializer(self._state(self._activity())).data)

    @extend_schema(
        summary="Give consent",
        description="Your name, profession, organisation and e-mail address may then go to "
        "the activity's exhibitors and commercial supporters. Giving it again changes nothing.",
        request=None,
        responses={200: ConsentStateSerializer},
    )
    def put(self, request, *args, **kwargs) -> Response:
        activity = self._activity()
        consent.give_consent(request.user, activity, source="api")
        return Response(ConsentStateSerializer(self._state(activity)).data)

    @extend_schema(
        summary="Withdraw consent",
        description="From now on; the record of the consent stays.",
        request=None,
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        consent.withdraw_consent(request.user, self._activity())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the activity's people in control of content ------------------------------------------------


def _reviewed(activity, members: list[roster.Member]) -> dict[int, list[dict]]:
    """Each member's relationships in scope with decisions, mitigations and exceptions.

    A fixed number of queries whatever the number of people.
    """
    in_scope = {m.person.pk: m.relationships_in_scope() for m in members}
    rels = [r for found in in_scope.values() for r in found]
    decisions = review.latest_decisions(activity, rels)
    mitigations: dict[int, list[Mitigation]] = {}
    for mitigation in (
        Mitigation.objects.filter(decision__in=list(decisions.values()))
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    ):
        mitigations.setdefault(mitigation.decision_id, []).append(mitigation)
    exceptions: dict[int, list[OwnerEmployeeException]] = {}
    for record in (
        OwnerEmployeeException.objects.filter(activity=activity, relationship__in=rels)
        .select_related("reviewer")
        .order_by("recorded_at", "id")
    ):
        exceptions.setdefault(record.relationship_id, []).append(record)
    result: dict[int, list[dict]] = {}
    for pk, found in in_scope.items():
        items = []
        for rel in found:
            decision = decisions.get(rel.pk)
            done = mitigations.get(decision.pk, []) if decision else []
            items.append(
                {
                    "id": rel.pk,
                    "company": rel.company,
                    "nature": rel.nature,
                    "start_date": rel.start_date,
                    "end_date": rel.end_date,
                    "status": review.status(decision, done).value,
                    "decision": decision,
                    "mitigations": done,
                    "exceptions": exceptions.get(rel.pk, []),
                }
            )
        result[pk] = items
    return result


@extend_schema(tags=["disclosure review"])
class RosterView(TeamScopedView):
    """Everyone in control of the activity's content, with roles and disclosure standing.

    Relationships themselves are shown to disclosure reviewers only; the program team
    sees how many there are [A5].
    """

    pagination_class = None  # one answer, not paginated
    serializer_class = RosterMemberSerializer
    read_any = ROSTER
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="People in control of content and where they stand",
        responses={200: RosterMemberSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        members = roster.content_controllers(self.activity)
        reviewed = _reviewed(self.activity, members) if self.may(Permission.REVIEW) else None
        rows = [
            {
                "person": m.person,
                "roles": m.roles,
                "role_start": m.role_start,
                "status": m.status,
                "blockers": m.blockers,
                "needs_invitation": m.needs_invitation,
                "disclosure": m.disclosure,
                "relationship_count": len(m.relationships_in_scope()),
                "relationships": reviewed[m.person.pk] if reviewed is not None else None,
            }
            for m in members
        ]
        return Response(RosterMemberSerializer(rows, many=True).data)


@extend_schema(tags=["disclosure review"])
class InvitationView(TeamScopedView):
    """E-mail a link to disclose to everyone whose disclosure is missing, expired or too short."""

    serializer_class = InvitationResultSerializer
    write_any = ROSTER

    @extend_schema(
        summary="Invite people to disclose",
        description="Not sent to people who refused, nor to owners and employees whose "
        "disclosure is otherwise valid (a reviewer decides those).",
        request=None,
        responses={200: InvitationResultSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        invited = []
        for member in roster.content_controllers(self.activity):
            if member.needs_invitation:
                invitations.invite_to_disclose(
                    member.person,
                    by=request.user,
                    activity=self.activity,
                    role_start=member.role_start,
                    reasons=member.blockers,
                )
                invited.append(member.person)
        return Response(InvitationResultSerializer({"invited": invited}).data)


@extend_schema(tags=["disclosure review"])
class ReviewSummary(TeamScopedView):
    """What keeps the activity from approval, and how many relationships wait for review."""

    serializer_class = ReviewSummarySerializer
    read_any = REVIEW
    http_method_names = ["get", "head", "options"]

    @extend_schema(summary="Review standing of the activity")
    def get(self, request, *args, **kwargs) -> Response:
        members = roster.content_controllers(self.activity)
        reviewed = _reviewed(
            self.activity,
            [
                m
                for m in members
                if m.disclosure is not None and m.disclosure.state == DisclosureState.SUBMITTED
            ],
        )
        open_items = sum(
            item["status"] in (review.Status.UNDECIDED, review.Status.UNMITIGATED)
            for items in reviewed.values()
            for item in items
        )
        problems = gate.clearance_problems(self.activity)
        return Response(
            ReviewSummarySerializer({"open_items": open_items, "problems": problems}).data
        )


RELATIONSHIP = OpenApiParameter(
    "relationship",
    int,
    OpenApiParameter.PATH,
    description="The id of a financial relationship of someone in control of the content.",
)


class _RelationshipView(TeamScopedView):
    """A relationship in scope for someone in control of this activity's content."""

    write_any = REVIEW

    def relationship(self) -> tuple[FinancialRelationship, roster.Member]:
        for member in roster.content_controllers(self.activity):
            for rel in member.relationships_in_scope():
                if rel.pk == self.kwargs["relationship"]:
                    return rel, member
        raise Http404(_("No such relationship in this activity."))

    def answer(self, rel: FinancialRelationship, member: roster.Member, code: int) -> Response:
        item = _reviewed(self.activity, [member])[member.person.pk]
        row = next(i for i in item if i["id"] == rel.pk)
        return Response(ReviewedRelationshipSerializer(row).data, status=code)


@extend_schema(tags=["disclosure review"], parameters=[RELATIONSHIP])
class RelevanceDecisionView(_RelationshipView):
    serializer_class = DecisionInputSerializer

    @extend_schema(
        summary="Decide whether a relationship is relevant to this content",
        description="With the reason [A6][A7]. A later decision supersedes an earlier one; "
        "both are kept. Nobody reviews their own relationships (403).",
        request=DecisionInputSerializer,
        responses={201: ReviewedRelationshipSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        rel, member = self.relationship()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review.decide_relevance(
            self.activity,
            rel,
            reviewer=request.user,
            relevant=serializer.validated_data["relevant"],
            reason=serializer.validated_data["reason"],
        )
        return self.answer(rel, member, status.HTTP_201_CREATED)


@extend_schema(tags=["disclosure review"], parameters=[RELATIONSHIP])
class MitigationView(_RelationshipView):
    serializer_class = MitigationInputSerializer

    @extend_schema(
        summary="Document how a relevant relationship was mitigated",
        description="Peer review needs the peer's name and the date; another method a "
        "description [A7].",
        request=MitigationInputSerializer,
        responses={201: MitigationSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        rel, _member = self.relationship()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        decision = review.latest_decisions(self.activity, [rel]).get(rel.pk)
        if decision is None:
            return Response(
                {"method": [_("Decide first whether the relationship is relevant.")]},
                status=status.HTTP_400_BAD_REQUEST,
            )
        mitigation = review.mitigate(decision, by=request.user, **serializer.validated_data)
        return Response(MitigationSerializer(mitigation).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["disclosure review"], parameters=[RELATIONSHIP])
class ExceptionView(_RelationshipView):
    serializer_class = ExceptionInputSerializer

    @extend_schema(
        summary="Record an exception for an owner or employee",
        description="One of the three exceptions of the standard, with the reason [A7b].",
        request=ExceptionInputSerializer,
        responses={201: ExceptionSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        rel, _member = self.relationship()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = review.record_exception(
            self.activity, rel, reviewer=request.user, **serializer.validated_data
        )
        return Response(ExceptionSerializer(record).data, status=status.HTTP_201_CREATED)
