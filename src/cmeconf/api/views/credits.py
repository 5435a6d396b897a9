"""Credit: the provider's credit types, an activity's designations and claim window, claims,
and the learner's transcript and certificates.

Thin: every read and every change goes through the same services as the pages
(credits.provider_types, credits.designation, credits.setup, credits.claims,
licensure.transcripts), which hold the rules and write the audit trail.

- The provider's credit types: teams with the credit permission for all of the
  provider's activities (as the settings page); other members 403, everyone else 404.
- An activity's credit and claims: read with the credit or reports permission,
  changed with credit; 404 outside the teams of a hidden activity, 403 without the
  permission, 401 without credentials.
- A learner's claim (`me/claim/`): the caller's own, at a public activity; a claim
  id that is not theirs is 404. `me/transcript/` and `me/certificates/` are the
  caller's own records only.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import generics, mixins, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cmeconf.activities.models import Session
from cmeconf.api.pagination import Pagination
from cmeconf.api.serializers.credits import (
    ActivityCreditSerializer,
    ClaimCorrectSerializer,
    ClaimOptionsSerializer,
    ClaimSerializer,
    ClaimSubmitSerializer,
    ClaimWindowSerializer,
    ClaimWindowWriteSerializer,
    DesignateSerializer,
    DesignationChangeSerializer,
    DesignationSerializer,
    MyCertificateSerializer,
    ProviderCreditTypeSerializer,
    ProviderCreditTypeWriteSerializer,
    ReasonSerializer,
    RecomputedSerializer,
    StaffClaimDetailSerializer,
    StaffClaimSerializer,
    TranscriptFilterSerializer,
    TranscriptSerializer,
)
from cmeconf.api.views.base import ActivityScopedView, ProviderScopedView
from cmeconf.api.views.integrity_base import TeamScopedView
from cmeconf.credits import claims as claim_services
from cmeconf.credits import designation as designation_services
from cmeconf.credits import provider_types, setup
from cmeconf.credits import statements as wording
from cmeconf.credits.certificate_tokens import verification_url
from cmeconf.credits.models import Certificate, Claim, ClaimStatus, Designation
from cmeconf.credits.types import REGISTRY
from cmeconf.licensure import transcripts
from cmeconf.providers.permissions import Permission, is_provider_member, permission_set

READ = frozenset({Permission.CREDIT, Permission.REPORTS})
WRITE = frozenset({Permission.CREDIT})

CODE = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description='A credit type\'s code, e.g. "AMA_PRA_1".'
)
DESIGNATION = OpenApiParameter(
    "designation", int, OpenApiParameter.PATH, description="The id of the designation."
)
CLAIM = OpenApiParameter("claim", int, OpenApiParameter.PATH, description="The id of the claim.")
NOT_FOUND = OpenApiResponse(description="Not found, or not yours.")


def _label(credit_type: str, board: str = "") -> str:
    credit_rule = REGISTRY.get(credit_type)
    label = credit_rule.label if credit_rule else credit_type
    return f"{label} ({board})" if board else label


def _unit(credit_type: str) -> str:
    credit_rule = REGISTRY.get(credit_type)
    return credit_rule.unit_plural if credit_rule else ""


def _json_value(value):
    """An option value as JSON carries it: decimals as text, so that none is rounded."""
    return str(value) if isinstance(value, Decimal) else value


# --- the provider's credit types ----------------------------------------------------------------


def _type_data(choice: provider_types.TypeChoice) -> dict:
    credit_rule, setting = choice.rule, choice.setting
    stored = setting.options if setting is not None else {}
    return {
        "code": credit_rule.code,
        "label": credit_rule.label,
        "unit": credit_rule.unit,
        "unit_plural": credit_rule.unit_plural,
        "accreditors": choice.accreditor_list,
        "may_switch_on": choice.allowed,
        "enabled": choice.enabled,
        "identifier": setting.identifier if setting else "",
        "per_board": credit_rule.per_board,
        "claim_needs": list(credit_rule.claim_needs),
        "options": [
            {
                "key": opt.key,
                "label": opt.label,
                "kind": provider_types.option_kind(opt),
                "default": _json_value(opt.default),
                "source": opt.source,
                "choices": [
                    {"value": v, "label": label} for v, label in provider_types.option_choices(opt)
                ],
                "value": _json_value(stored.get(opt.key)),
            }
            for opt in credit_rule.options
        ],
        "sources": credit_rule.sources,
        "updated": setting.updated if setting and setting.pk else None,
    }


class _ProviderCreditView(ProviderScopedView):
    """The provider's teams only (404 for everyone else); credit for all activities to act."""

    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not is_provider_member(request.user, self.provider):
            raise Http404(_("No such provider."))
        # As the settings page: a team with the credit permission for all activities.
        if Permission.CREDIT not in permission_set(request.user, self.provider):
            self.permission_denied(request, message=_("Your teams do not allow this."))


@extend_schema(tags=["credit"])
class ProviderCreditTypeList(_ProviderCreditView):
    """Every credit type the platform knows, whether the provider may offer it, its settings."""

    serializer_class = ProviderCreditTypeSerializer
    pagination_class = None

    @extend_schema(
        summary="The provider's credit types",
        responses={200: ProviderCreditTypeSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        rows = [_type_data(c) for c in provider_types.choices(self.provider)]
        return Response(ProviderCreditTypeSerializer(rows, many=True).data)


@extend_schema(tags=["credit"], parameters=[CODE])
class ProviderCreditTypeDetail(_ProviderCreditView):
    serializer_class = ProviderCreditTypeWriteSerializer
    http_method_names = ["put", "patch", "options"]

    def _choice(self) -> provider_types.TypeChoice:
        code = self.kwargs["code"]
        for choice in provider_types.choices(self.provider):
            if choice.rule.code == code:
                return choice
        raise Http404(_("No such credit type."))

    def _save(self, request, *, partial: bool) -> Response:
        choice = self._choice()
        serializer = ProviderCreditTypeWriteSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        setting = choice.setting
        current = dict(setting.options) if setting else {}
        if partial:
            enabled = data.get("enabled", bool(setting and setting.enabled))
            identifier = data.get("identifier", setting.identifier if setting else "")
            options = {**current, **data["options"]} if "options" in data else None
        else:
            enabled = data["enabled"]
            identifier = data.get("identifier", "")
            options = data.get("options", {})
        provider_types.configure(
            self.provider,
            choice.rule.code,
            by=request.user,
            enabled=enabled,
            identifier=identifier,
            options=options,
        )
        return Response(ProviderCreditTypeSerializer(_type_data(self._choice())).data)

    @extend_schema(
        summary="Set a credit type: on or off, your ID, its options",
        description="Switching on needs a current accreditation that allows the type; a type "
        "designated by an activity that has not ended stays on. Options are checked against "
        "their kind; errors come back under the option's key.",
        request=ProviderCreditTypeWriteSerializer,
        responses={200: ProviderCreditTypeSerializer, 404: NOT_FOUND},
    )
    def put(self, request, *args, **kwargs) -> Response:
        return self._save(request, partial=False)

    @extend_schema(
        summary="Change some settings of a credit type",
        request=ProviderCreditTypeWriteSerializer,
        responses={200: ProviderCreditTypeSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        return self._save(request, partial=True)


# --- an activity's credit -----------------------------------------------------------------------


class _CreditView(TeamScopedView):
    read_any = READ
    write_any = WRITE


def _designations(activity) -> QuerySet[Designation]:
    return (
        Designation.objects.filter(activity=activity)
        .select_related("designated_by")
        .annotate(n_claims=Count("claims"))
    )


def _designation_data(d: Designation, claims_made: int | None = None) -> dict:
    statements = wording.statements(d) if d.credit_type in REGISTRY and d.maximum > 0 else []
    return {
        "id": d.pk,
        "credit_type": d.credit_type,
        "label": _label(d.credit_type, d.board),
        "board": d.board,
        "computed_maximum": d.computed_maximum,
        "computed_minutes": d.computed_minutes,
        "maximum": d.maximum,
        "lowered_reason": d.lowered_reason,
        "supports_more": d.computed_maximum > d.maximum,
        "uan": d.uan,
        "approval_pending": d.approval_pending,
        "statements": statements,
        "claims": claims_made if claims_made is not None else _claim_count(d),
        "designated_by": d.designated_by,
        "designated_at": d.designated_at,
        "updated": d.updated,
    }


def _claim_count(d: Designation) -> int:
    return d.n_claims if hasattr(d, "n_claims") else d.claims.count()


def _one_designation(activity, pk: int) -> Designation:
    found = _designations(activity).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No such designation."))
    found.activity = activity
    return found


def _window_data(activity) -> dict:
    current = setup.current(activity)
    return {
        "claims_open_at": current.claims_open_at,
        "claims_close_at": current.claims_close_at,
        "evaluation_required": current.evaluation_required,
        "default_open_at": setup.default_open_at(activity),
    }


def _paragraphs(blocks) -> list[str]:
    return ["".join(part.text for part in paragraph) for b in blocks for paragraph in b.paragraphs]


@extend_schema(tags=["credit"])
class ActivityCredit(_CreditView):
    """The activity's credit: minutes, what each switched-on type computes, designations."""

    serializer_class = ActivityCreditSerializer
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="The activity's credit",
        description="Maxima are computed from the credit-eligible sessions, parallel sessions "
        "counted once, breaks, meals, exhibits and industry sessions left out [M1][A12].",
    )
    def get(self, request, *args, **kwargs) -> Response:
        minutes, rows, orphans = designation_services.overview(self.activity)
        annotated = {d.pk: d for d in _designations(self.activity)}

        def data(d: Designation) -> dict:
            d.activity = self.activity
            d.designated_by = annotated[d.pk].designated_by
            return _designation_data(d, annotated[d.pk].n_claims)

        body = {
            "started": designation_services.has_started(self.activity),
            "minutes": {
                "covered": minutes.covered,
                "scheduled": minutes.scheduled,
                "concurrent": minutes.concurrent,
                "credit_sessions": minutes.credit_sessions,
                "breaks": minutes.breaks,
                "not_eligible": minutes.not_eligible,
                "by_day": [{"date": k, "minutes": v} for k, v in sorted(minutes.by_day.items())],
            },
            "types": [
                {
                    "credit_type": row.code,
                    "label": row.rule.label,
                    "unit_plural": row.rule.unit_plural,
                    "computed_maximum": row.computed,
                    "minutes": row.minutes,
                    "per_board": row.rule.per_board,
                    "needs_uan": row.needs_uan,
                    "may_be_pending": row.may_be_pending,
                    "designations": [data(d) for d in row.designations],
                    "preview": [] if row.designations else _paragraphs(row.preview),
                }
                for row in rows
            ],
            "other_designations": [data(d) for d in orphans],
            "claim_window": _window_data(self.activity),
        }
        context = self.get_serializer_context()
        return Response(ActivityCreditSerializer(body, context=context).data)


@extend_schema(tags=["credit"])
class ClaimWindow(_CreditView):
    serializer_class = ClaimWindowWriteSerializer
    http_method_names = ["put", "options"]

    @extend_schema(
        summary="Set the claim window",
        description="Claims cannot open before the activity starts; no opening time means "
        "when the last credit session ends, no closing time means claims stay open. "
        "Pharmacy credit reaches CPE Monitor only within 60 days [P5] and MOC points count "
        "for a year only when reported by 31 December [B2].",
        request=ClaimWindowWriteSerializer,
        responses={200: ClaimWindowSerializer},
    )
    def put(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        setup.set_claim_window(self.activity, by=request.user, **serializer.validated_data)
        context = self.get_serializer_context()
        return Response(ClaimWindowSerializer(_window_data(self.activity), context=context).data)


@extend_schema(tags=["credit"])
class DesignationList(_CreditView):
    serializer_class = DesignateSerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Designate credit of one type",
        description="In advance, never once the activity has started [M3]. The maximum is "
        "what the program supports unless given lower, with a reason; never higher. MOC "
        "names a board (one designation per board), ACPE a UAN [P1]. A type already "
        "designated is changed at designations/{designation}/.",
        request=DesignateSerializer,
        responses={201: DesignationSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        credit_type = data.pop("credit_type")
        board = (data.get("board") or "").strip()
        existing = Designation.objects.filter(
            activity=self.activity, credit_type=credit_type, board=board
        ).first()
        if existing is not None:
            raise ValidationError(
                {
                    "credit_type": _(
                        "This credit is designated already (designation %(id)s): change it there."
                    )
                    % {"id": existing.pk}
                }
            )
        made = designation_services.designate(self.activity, credit_type, by=request.user, **data)
        found = _one_designation(self.activity, made.pk)
        context = self.get_serializer_context()
        return Response(
            DesignationSerializer(_designation_data(found), context=context).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["credit"], parameters=[DESIGNATION])
class DesignationDetail(_CreditView):
    serializer_class = DesignationChangeSerializer
    http_method_names = ["patch", "delete", "options"]

    @extend_schema(
        summary="Change a designation: lower it, its UAN, approval pending",
        description="Lower with a reason; once the activity has started it can be lowered but "
        "not raised [M3]. A null maximum designates what the program supports.",
        request=DesignationChangeSerializer,
        responses={200: DesignationSerializer, 404: NOT_FOUND},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        found = _one_designation(self.activity, self.kwargs["designation"])
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        designation_services.designate(
            self.activity,
            found.credit_type,
            by=request.user,
            board=found.board,
            maximum=data.get("maximum", found.maximum),
            lowered_reason=data.get("lowered_reason", found.lowered_reason),
            uan=data.get("uan", found.uan),
            approval_pending=data.get("approval_pending", found.approval_pending),
        )
        found = _one_designation(self.activity, found.pk)
        context = self.get_serializer_context()
        return Response(DesignationSerializer(_designation_data(found), context=context).data)

    @extend_schema(
        summary="Withdraw a designation",
        description="Only before any learner claimed it, with the reason (`reason` in the "
        "query string).",
        parameters=[
            OpenApiParameter("reason", str, description="Why the designation is withdrawn.")
        ],
        request=None,
        responses={204: None, 404: NOT_FOUND},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        found = _one_designation(self.activity, self.kwargs["designation"])
        reason = request.query_params.get("reason", "")
        if not reason and isinstance(request.data, dict):
            reason = str(request.data.get("reason", "") or "")
        designation_services.withdraw(found, by=request.user, reason=reason)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["credit"])
class DesignationRecompute(_CreditView):
    serializer_class = RecomputedSerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Bring the designations in line with the program",
        description="A maximum the program no longer supports is lowered to it; a computation "
        "that grew leaves the maximum alone. Lists the designations whose computation changed.",
        request=None,
        responses={200: RecomputedSerializer(many=True)},
    )
    def post(self, request, *args, **kwargs) -> Response:
        changed = designation_services.recompute(self.activity, by=request.user)
        fresh = {d.pk: d for d in _designations(self.activity)}
        body = []
        for c in changed:
            d = fresh[c.designation.pk]
            d.activity = self.activity
            body.append(
                {
                    "designation": _designation_data(d),
                    "before": c.before,
                    "computed": c.computed,
                    "lowered": c.lowered,
                }
            )
        context = self.get_serializer_context()
        return Response(RecomputedSerializer(body, many=True, context=context).data)


# --- the learner's claim ------------------------------------------------------------------------


def _claim_data(claim: Claim) -> dict:
    return {
        "id": claim.pk,
        "credit_type": claim.credit_type,
        "label": _label(claim.credit_type, claim.board),
        "board": claim.board,
        "status": claim.status,
        "amount": claim.amount,
        "unit_plural": _unit(claim.credit_type),
        "measured_minutes": claim.measured_minutes,
        "attested_at": claim.attested_at,
        "consent_to_report": claim.consent_to_report,
        "reported_at": claim.reported_at,
    }


def _options_data(options: claim_services.ClaimOptions) -> dict:
    return {
        "can_claim": options.can_claim,
        "blockers": [{"code": b.code, "message": b.message} for b in options.blockers],
        "opens_at": options.opens_at,
        "closes_at": options.closes_at,
        "evaluation_required": options.evaluation_required,
        "evaluation_done": options.evaluation_done,
        "evaluation_minutes": options.evaluation_minutes,
        "sessions": [
            {"code": s.code, "title": s.title, "start": s.start, "end": s.end, "minutes": m}
            for s, m in options.sessions
        ],
        "total_minutes": options.total_minutes,
        "offers": [
            {
                "key": o.key,
                "credit_type": o.designation.credit_type,
                "board": o.designation.board,
                "label": o.label,
                "unit_plural": o.unit_plural,
                "maximum": o.maximum,
                "supported": o.supported,
                "step": o.step,
                "least": o.least,
                "may_claim": o.may_claim,
                "refusal": o.refusal,
                "claimable": o.claimable,
                "needs": [
                    name for need in o.needs for name in claim_services.NEED_FIELDS.get(need, ())
                ],
                "needs_reason": o.needs_reason,
                "reports_to_third_party": o.reports_to_third_party,
                "claim": o.live_claim.pk if o.live_claim else None,
            }
            for o in options.offers
        ],
        "needed": list(options.needed),
        "needs_consent": options.needs_consent,
        "prefill": options.prefill,
        "attestation": options.attestation,
        "claims": [_claim_data(c) for c in options.claims],
    }


class _LearnerView(ActivityScopedView):
    """The caller's own claim at a public activity; drafts are 404, as on the claim page."""

    permission_classes = [IsAuthenticated]
    read_permission = None
    write_permission = None

    def initial(self, request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not self.activity.is_public:
            raise Http404(_("No such activity."))


@extend_schema(tags=["credit"])
class MyClaim(_LearnerView):
    """What you may claim at the activity, and the claim itself."""

    serializer_class = ClaimSubmitSerializer

    @extend_schema(
        summary="Your claim options",
        description="The credit sessions you attended with their minutes (parallel sessions "
        "once [M1]), what each designation supports for them, what stands in the way "
        "(`blockers`), the identifiers a claim needs and the attestation text.",
        responses={200: ClaimOptionsSerializer},
    )
    def get(self, request, *args, **kwargs) -> Response:
        options = claim_services.claim_options(self.activity, request.user)
        context = self.get_serializer_context()
        return Response(ClaimOptionsSerializer(_options_data(options), context=context).data)

    @extend_schema(
        summary="Claim credit",
        description="All choices or none. Claim only the credit commensurate with your "
        "participation [M5]: never above what your attendance supports nor the designated "
        "maximum. Errors about one choice come back under its key (e.g. `AMA_PRA_1`), "
        "identifiers under `board_id`, `nabp_eprofile_id` and `birth_day`, what blocks the "
        "claim (not open, evaluation first ...) under `non_field_errors`.",
        request=ClaimSubmitSerializer,
        responses={201: ClaimSerializer(many=True)},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        choices = [
            claim_services.ClaimChoice(c["credit_type"], c.get("board", ""), c["amount"])
            for c in data.pop("choices")
        ]
        made = claim_services.submit_claim(self.activity, request.user, choices=choices, **data)
        context = self.get_serializer_context()
        return Response(
            ClaimSerializer([_claim_data(c) for c in made], many=True, context=context).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["credit"], parameters=[CLAIM])
class MyClaimWithdraw(_LearnerView):
    serializer_class = ClaimSerializer

    @extend_schema(
        summary="Withdraw your claim",
        description="Before it was reported and while claiming is open; you may then claim "
        "again. Its certificate is revoked.",
        request=None,
        responses={200: ClaimSerializer, 404: NOT_FOUND},
    )
    def post(self, request, *args, **kwargs) -> Response:
        claim = Claim.objects.filter(
            pk=self.kwargs["claim"],
            activity=self.activity,
            person=request.user,
            status=ClaimStatus.CLAIMED,
        ).first()
        if claim is None:
            raise Http404(_("No such claim."))
        claim = claim_services.withdraw_claim(claim, by=request.user)
        context = self.get_serializer_context()
        return Response(ClaimSerializer(_claim_data(claim), context=context).data)


# --- staff: claims ------------------------------------------------------------------------------


def _staff_claim_data(claim: Claim) -> dict:
    person = claim.person
    return _claim_data(claim) | {
        "person": {"id": person.pk, "name": person.full_name, "email": person.email},
        "designated_maximum": claim.designation.maximum,
        "corrections": claim.n_corrections
        if hasattr(claim, "n_corrections")
        else claim.corrections.count(),
    }


def _staff_claims(activity) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(activity=activity)
        .select_related("person", "designation")
        .annotate(n_corrections=Count("corrections"))
    )


def _one_claim(activity, pk: int) -> Claim:
    claim = _staff_claims(activity).filter(pk=pk).first()
    if claim is None:
        raise Http404(_("No such claim in this activity."))
    claim.activity = activity
    return claim


def _claim_detail(activity, claim: Claim) -> dict:
    ids = {int(k) for k in claim.sessions if str(k).isdigit()}
    measured = claim_services.measure(claim) if claim.credit_type in REGISTRY else None
    now = measured.sessions if measured else {}
    ids |= {int(k) for k in now}
    sessions = {s.pk: s for s in Session.objects.filter(pk__in=ids, activity=activity)}
    rows = [
        {
            "code": sessions[i].code if i in sessions else None,
            "title": sessions[i].title if i in sessions else None,
            "at_claim": claim.sessions.get(str(i)),
            "now": now.get(str(i)),
        }
        for i in sorted(ids, key=lambda i: (sessions.get(i) is None, i))
    ]
    corrections = claim.corrections.select_related("corrected_by").order_by("corrected_at", "id")
    return _staff_claim_data(claim) | {
        "attestation": claim.attestation,
        "board_id": claim.board_id,
        "nabp_eprofile_id": claim.nabp_eprofile_id,
        "birth_month": claim.birth_month,
        "birth_day": claim.birth_day,
        "session_rows": rows,
        "measured": None
        if measured is None
        else {
            "minutes": measured.minutes,
            "supported": measured.supported,
            "step": measured.step,
            "least": measured.least,
            "evaluation_minutes": measured.evaluation_minutes,
        },
        "correction_list": [
            {
                "id": c.pk,
                "before_amount": c.before_amount,
                "after_amount": c.after_amount,
                "before_minutes": c.before_minutes,
                "after_minutes": c.after_minutes,
                "reason": c.reason,
                "corrected_by": c.corrected_by,
                "corrected_at": c.corrected_at,
            }
            for c in corrections
        ],
    }


CLAIM_FILTERS = [
    OpenApiParameter(
        "credit_type", str, description='Only claims of this credit type, e.g. "AMA_PRA_1".'
    ),
    OpenApiParameter("board", str, description="Only MOC claims for this board."),
    OpenApiParameter("q", str, description="Words of the learner's name or e-mail address."),
    OpenApiParameter(
        "include_withdrawn", bool, description="Withdrawn claims too (live ones only by default)."
    ),
]


@extend_schema(tags=["credit"])
class ClaimList(mixins.ListModelMixin, _CreditView):
    """The activity's claims, by learner."""

    serializer_class = StaffClaimSerializer
    pagination_class = Pagination
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[Claim]:
        if getattr(self, "swagger_fake_view", False):
            return Claim.objects.none()
        qs = _staff_claims(self.activity)
        params = self.request.query_params
        if params.get("include_withdrawn", "").lower() not in ("true", "1", "yes"):
            qs = qs.filter(status=ClaimStatus.CLAIMED)
        if params.get("credit_type"):
            qs = qs.filter(credit_type=params["credit_type"])
        if params.get("board"):
            qs = qs.filter(board=params["board"])
        for word in params.get("q", "").split():
            qs = qs.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(person__email__icontains=word)
            )
        return qs.order_by(
            "person__last_name", "person__first_name", "person_id", "credit_type", "board", "id"
        )

    def list(self, request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        data = StaffClaimSerializer(
            [_staff_claim_data(c) for c in page], many=True, context=self.get_serializer_context()
        ).data
        return self.get_paginated_response(data)

    @extend_schema(summary="The activity's claims", parameters=CLAIM_FILTERS)
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["credit"], parameters=[CLAIM])
class ClaimDetail(_CreditView):
    serializer_class = StaffClaimDetailSerializer
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="One claim, with its sessions and corrections",
        description="`session_rows` gives the minutes per session when claimed and as "
        "recorded now; `measured` what the attendance recorded now supports.",
        responses={200: StaffClaimDetailSerializer, 404: NOT_FOUND},
    )
    def get(self, request, *args, **kwargs) -> Response:
        claim = _one_claim(self.activity, self.kwargs["claim"])
        context = self.get_serializer_context()
        return Response(
            StaffClaimDetailSerializer(_claim_detail(self.activity, claim), context=context).data
        )


class _ClaimChange(_CreditView):
    """A staff change to one claim: the claim service named by `change` does it."""

    http_method_names = ["post", "options"]
    change: Callable[..., object]

    def post(self, request, *args, **kwargs) -> Response:
        claim = _one_claim(self.activity, self.kwargs["claim"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        type(self).change(claim, by=request.user, **serializer.validated_data)
        claim = _one_claim(self.activity, claim.pk)
        context = self.get_serializer_context()
        return Response(
            StaffClaimDetailSerializer(_claim_detail(self.activity, claim), context=context).data
        )


def _change_schema(summary: str, description: str, request) -> Callable:
    return extend_schema_view(
        post=extend_schema(
            summary=summary,
            description=description,
            request=request,
            responses={200: StaffClaimDetailSerializer, 404: NOT_FOUND},
        )
    )


@extend_schema(tags=["credit"], parameters=[CLAIM])
@_change_schema(
    "Correct a claim's amount",
    "With a reason; never above the designated maximum nor above what the attendance "
    "recorded now supports [M3][M6]. A current certificate is replaced.",
    ClaimCorrectSerializer,
)
class ClaimCorrect(_ClaimChange):
    serializer_class = ClaimCorrectSerializer
    change = staticmethod(claim_services.correct_claim)


@extend_schema(tags=["credit"], parameters=[CLAIM])
@_change_schema(
    "Fit a claim to the attendance recorded now",
    "A claim made in full follows the new figure up or down; one made for less stays "
    "unless the new figure is lower [M5].",
    ReasonSerializer,
)
class ClaimRecompute(_ClaimChange):
    serializer_class = ReasonSerializer
    change = staticmethod(claim_services.recompute_claim)


@extend_schema(tags=["credit"], parameters=[CLAIM])
@_change_schema(
    "Withdraw a claim",
    "With a reason, before it was reported; its certificate is revoked.",
    ReasonSerializer,
)
class ClaimWithdraw(_ClaimChange):
    serializer_class = ReasonSerializer
    change = staticmethod(claim_services.withdraw_claim)


# --- your transcript and certificates -----------------------------------------------------------


def _absolute(request, name: str, *args, query: str = "") -> str:
    url = request.build_absolute_uri(reverse(name, args=args))
    return f"{url}?{query}" if query else url


@extend_schema(tags=["credit"])
class MyTranscript(generics.GenericAPIView):
    """Every credit you claimed here and every credit you recorded, with totals per type."""

    serializer_class = TranscriptSerializer
    permission_classes = [IsAuthenticated]
    validates_query = True

    @extend_schema(
        summary="Your transcript",
        description="Claimed credit (verified by the provider: the amount claimed, never the "
        "maximum [M6]) and credit you recorded yourself (self-reported), oldest first; "
        "`start` and `end` filter on the completion day.",
        parameters=[TranscriptFilterSerializer],
    )
    def get(self, request, *args, **kwargs) -> Response:
        filters = TranscriptFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        types = data.get("credit_type") or None
        found = transcripts.transcript(
            request.user, start=data.get("start"), end=data.get("end"), credit_types=types
        )
        # The pages take the same filter as start, end and type (repeated).
        query = [(k, data[k].isoformat()) for k in ("start", "end") if data.get(k)]
        query += [("type", code) for code in found.credit_types]
        encoded = urlencode(query)
        body = {
            "generated_at": found.generated_at,
            "start": found.start,
            "end": found.end,
            "credit_types": list(found.credit_types),
            "filter_text": found.filter_text(),
            "rows": found.rows,
            "totals": found.totals,
            "has_self_reported": found.has_self_reported,
            "cpe_monitor_note": transcripts.cpe_monitor_note() if found.has_acpe else "",
            "links": {
                "pdf": _absolute(request, "transcript:pdf", query=encoded),
                "csv": _absolute(request, "transcript:csv", query=encoded),
            },
        }
        return Response(TranscriptSerializer(body).data)


@extend_schema(tags=["credit"])
class MyCertificateList(mixins.ListModelMixin, generics.GenericAPIView):
    """Your certificates in force and those revoked, newest first (replaced ones are left out)."""

    serializer_class = MyCertificateSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Certificate]:
        if getattr(self, "swagger_fake_view", False):
            return Certificate.objects.none()
        return (
            Certificate.objects.filter(claim__person=self.request.user)
            .filter(Q(superseded_at__isnull=True) | Q(revoked_at__isnull=False))
            .select_related("claim__activity__provider")
            .order_by("-issued_at", "-id")
        )

    def _data(self, cert: Certificate) -> dict:
        claim = cert.claim
        activity = claim.activity
        valid = cert.revoked_at is None and cert.superseded_at is None
        request = self.request
        return {
            "number": cert.number,
            "status": "revoked" if cert.revoked_at else "superseded" if not valid else "valid",
            "credit_type": claim.credit_type,
            "label": _label(claim.credit_type, claim.board),
            "board": claim.board,
            # What the certificate states, frozen at issue [M6].
            "amount": (cert.content.get("credit") or {}).get("awarded") or claim.amount,
            "unit_plural": _unit(claim.credit_type),
            "activity": {
                "provider": activity.provider.slug,
                "slug": activity.slug,
                "title": activity.title,
            },
            "issued_at": cert.issued_at,
            "revoked_at": cert.revoked_at,
            "revoked_reason": cert.revoked_reason,
            "pdf_url": _absolute(request, "certificates:pdf", cert.number) if valid else None,
            "verification_url": verification_url(cert),
            "credential_jwt_url": _absolute(request, "open_badges:credential_jwt", cert.number)
            if valid
            else None,
            "credential_json_url": _absolute(request, "open_badges:credential_json", cert.number)
            if valid
            else None,
        }

    def list(self, request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            MyCertificateSerializer([self._data(c) for c in page], many=True).data
        )

    @extend_schema(summary="Your certificates")
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)
