"""Claiming credit: what a learner may claim, the claim itself, withdrawal and staff corrections.

Rules (sources: docs/credits/sources.md):

- A learner claims only the credit commensurate with the extent of their
  participation [M5]: the most they may claim is what the credit type's rule gives
  for their measured minutes, concurrent sessions counted once [M1], capped by the
  designated maximum [M3][M6]. They may claim less.
- AMA PRA credit moves in quarter hours [M1]; the 0.25 minimum [M2] is the
  designation's, not a learner's (decision: 1 to 7 measured minutes support no
  claim, 8 minutes support 0.25); every rule's
  own step and what it supports are the rule's (`CreditRule.step`,
  `CreditRule.claimable`), so the service never branches on a credit type's code.
  A claim is a positive multiple of the step (or exactly what attendance
  supports), at least the smallest amount the rule gives (AMA 0.25 [M1]; ABP the
  whole designation, no partial credit [B4]).
- ANCC counts the time spent on the evaluation too [N1]: the seconds recorded on
  the learner's responses to the required forms, rounded down to minutes, are
  passed to every rule, and only the rules that count them use them (ANCC up to
  the provider's allowance, the one its designated maximum includes).
- Credit waits for the evaluation where the activity requires it; MOC points [B3]
  and ECMEC credit [E3] wait for it whatever the activity's setup says
  (`CreditRule.requires_evaluation`).
- MOC points reach the board only through ACCME, with the learner's permission and
  board ID and birth month and day [B1]; pharmacy credit exists only in CPE Monitor,
  which needs the NABP e-Profile ID and birth month and day [P6][P7]. A claim of a
  type that reports to a third party is refused without the consent to report.
- One live claim per type (and board) and learner: a learner withdraws a claim
  (only before it was reported) and claims again.
- Every claim, withdrawal and correction goes to the audit trail; the provider
  records the credit actually claimed per learner [M3] and keeps it 6 years [C5].

Without a `CreditSetup` the claim window opens when the activity's first session
starts (the activity's first day when nothing is scheduled) and has no deadline,
and the evaluation is required (the model's default).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cmeconf.activities.models import Activity, Session
from cmeconf.common import audit
from cmeconf.credits import certificates
from cmeconf.credits import identifiers as idchecks
from cmeconf.credits import setup as credit_setup
from cmeconf.credits.arithmetic import HUNDREDTH, Minutes
from cmeconf.credits.models import (
    Certificate,
    Claim,
    ClaimCorrection,
    ClaimStatus,
    Designation,
)
from cmeconf.credits.participation import credit_sessions, learner_participation
from cmeconf.credits.statements import provider_options
from cmeconf.credits.types import REGISTRY, CreditRule
from cmeconf.evaluations.gate import evaluation_done, required_forms
from cmeconf.evaluations.models import EvaluationResponse
from cmeconf.evaluations.standard import ensure_activity_form
from cmeconf.providers.permissions import Permission, permission_set
from cmeconf.registration.choices import RegistrationStatus
from cmeconf.registration.identifiers import ABMS_BOARDS, NEEDS
from cmeconf.registration.models import Registration

logger = logging.getLogger(__name__)

# Identifier names of a claim (CreditRule.claim_needs) and the registration's names for them.
NEED_FIELDS = {
    "board_id": ("board_id",),
    "nabp_eprofile_id": ("nabp_eprofile_id",),
    "birth_month_day": ("birth_month", "birth_day"),
}


# --- what a learner may claim -----------------------------------------------------------------


@dataclass(frozen=True)
class ClaimChoice:
    """One credit type (and board, for MOC) the learner claims, with the amount."""

    credit_type: str
    board: str = ""
    amount: Decimal | str | int | float | None = None

    @property
    def key(self) -> str:
        return choice_key(self.credit_type, self.board)


def choice_key(credit_type: str, board: str = "") -> str:
    """The name of one claimable choice: "AMA_PRA_1", or "ABMS_MOC__ABIM" per board."""
    return f"{credit_type}__{board}" if board else credit_type


@dataclass(frozen=True)
class Blocker:
    """Why the learner cannot claim now, in plain words; `code` lets the page add a link."""

    code: str  # not_registered, not_open, closed, evaluation, no_attendance, no_credit
    message: str


@dataclass
class Offer:
    """One designation as the learner sees it."""

    designation: Designation
    rule: CreditRule
    key: str
    label: str
    unit_plural: str
    may_claim: bool
    # Why not, when the profession may not claim it.
    refusal: str
    # What the measured attendance supports (capped by the designated maximum).
    supported: Decimal
    step: Decimal
    least: Decimal  # the smallest amount one may claim
    needs: tuple[str, ...]
    needs_reason: str
    reports_to_third_party: bool
    live_claim: Claim | None

    @property
    def maximum(self) -> Decimal:
        return self.designation.maximum

    @property
    def claimable(self) -> bool:
        return self.may_claim and self.live_claim is None and self.supported > 0


@dataclass
class ClaimOptions:
    """Everything the claim page and the API show a learner about claiming at one activity."""

    activity: Activity
    person: object
    registration: Registration | None
    sessions: list[tuple[Session, int]]  # credit sessions attended, with measured minutes
    total_minutes: int  # concurrent sessions once [M1]
    evaluation_minutes: int
    evaluation_required: bool
    evaluation_done: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    offers: list[Offer]
    blockers: list[Blocker]
    claims: list[Claim]  # the learner's live claims
    prefill: dict = field(default_factory=dict)
    attestation: str = ""

    @property
    def closed(self) -> bool:
        return any(b.code == "closed" for b in self.blockers)

    @property
    def can_claim(self) -> bool:
        return not self.blockers and any(o.claimable for o in self.offers)

    @property
    def needed(self) -> tuple[str, ...]:
        """Identifier names any claimable offer needs, in a stable order."""
        names: list[str] = []
        for offer in self.offers:
            if offer.claimable:
                for need in offer.needs:
                    for name in NEED_FIELDS.get(need, ()):
                        if name not in names:
                            names.append(name)
        return tuple(names)

    @property
    def needs_consent(self) -> bool:
        return any(o.claimable and o.reports_to_third_party for o in self.offers)


def attestation_text(activity: Activity) -> str:
    """The words a learner attests to; stored with each claim exactly as shown [M5]."""
    return _(
        "I claim only the credit commensurate with the extent of my participation in "
        "“%(title)s”. The amounts I enter do not exceed the time I actually took part, and "
        "the attendance recorded for me is mine."
    ) % {"title": activity.title}


def claim_window(activity: Activity) -> tuple[dt.datetime | None, dt.datetime | None, bool]:
    """(opens, closes, evaluation required), as the credit setup sets them (setup.window):
    by default claims open when the last credit session ends and never close."""
    opens, closes = credit_setup.window(activity)
    required = credit_setup.current(activity).evaluation_required
    if required:
        # The standard evaluation exists as soon as credit can be claimed, so that
        # "no form yet" can never let a claim past the evaluation [E3][B3].
        ensure_activity_form(activity)
    return opens, closes, required


def evaluation_minutes(activity: Activity, person) -> int:
    """Time spent on the required evaluation forms, rounded down to minutes [N1]."""
    forms = required_forms(activity)
    if not forms:
        return 0
    seconds = (
        EvaluationResponse.objects.filter(form__in=forms, person=person).aggregate(
            s=Sum("seconds_spent")
        )["s"]
        or 0
    )
    return int(seconds) // 60


def supported_amount(
    credit_rule: CreditRule,
    designation: Designation,
    minutes: Minutes,
    options: dict,
    *,
    evaluation_minutes: int = 0,
) -> Decimal:
    """What attendance supports, capped by the designated maximum [M1][M3][M6].

    The rule decides (`CreditRule.claimable`): ABP's all-or-nothing points [B4] need
    the minutes the designation rests on and the board.
    """
    if minutes.total <= 0:
        return Decimal("0.00")
    return credit_rule.claimable(
        minutes,
        options,
        maximum=designation.maximum,
        designated_minutes=designation.computed_minutes,
        board=designation.board,
        evaluation_minutes=evaluation_minutes,
    )


def least_amount(
    credit_rule: CreditRule,
    designation: Designation,
    total_minutes: int,
    options: dict,
    *,
    evaluation_minutes: int = 0,
) -> Decimal:
    """The smallest positive amount the rule gives for up to `total_minutes`.

    AMA: 0.25, a quarter [M1] (8 minutes); ECMEC: 0.5 for 30 minutes [E3]; ABP: the
    whole designation [B4]. Found by bisection, the rules' amounts never falling as
    minutes grow. 0 when even `total_minutes` give nothing.

    The learning time alone decides it: the evaluation time a rule adds (ANCC [N1])
    would otherwise lift the smallest claim to the maximum, and a learner could not
    claim less than everything.
    """

    def at(m: int, spent: int = 0) -> Decimal:
        return supported_amount(
            credit_rule,
            designation,
            Minutes.of(m),
            options,
            evaluation_minutes=spent,
        )

    if total_minutes <= 0:
        return Decimal("0.00")
    if at(total_minutes) <= 0:
        # Only the evaluation time gives anything: the smallest claim is all of it.
        return at(total_minutes, evaluation_minutes)
    low, high = 1, total_minutes
    while low < high:
        middle = (low + high) // 2
        if at(middle) > 0:
            high = middle
        else:
            low = middle + 1
    return at(low)


def _profession_label(code: str) -> str:
    from cmeconf.accounts.rules import Profession

    try:
        return str(Profession(code).label)
    except ValueError:
        return code or _("not given")


def _refusal(credit_rule: CreditRule, person) -> str:
    from cmeconf.accounts.rules import Profession

    allowed = ", ".join(
        str(Profession(p).label).lower() if p in Profession.values else p
        for p in sorted(credit_rule.professions)
    )
    if not person.profession:
        return _(
            "%(label)s is for: %(allowed)s. Your profile does not say your profession; add it "
            "to your profile if you are one of them."
        ) % {"label": credit_rule.label, "allowed": allowed}
    return _("%(label)s is for: %(allowed)s. Your profile says you are: %(profession)s.") % {
        "label": credit_rule.label,
        "allowed": allowed,
        "profession": _profession_label(person.profession).lower(),
    }


def _needs_reason(credit_rule: CreditRule) -> str:
    if credit_rule.code in NEEDS and credit_rule.claim_needs:
        return str(NEEDS[credit_rule.code].reason)
    if "board_id" in credit_rule.claim_needs:
        return str(NEEDS["ABMS_MOC"].reason)
    if "nabp_eprofile_id" in credit_rule.claim_needs:
        return str(NEEDS["ACPE"].reason)
    return ""


def _confirmed_registration(activity: Activity, person, *, lock: bool = False):
    qs = Registration.objects.filter(
        activity=activity, person=person, status=RegistrationStatus.CONFIRMED
    )
    if lock:
        qs = qs.select_for_update()
    return qs.first()


def _prefill(registration: Registration | None) -> dict:
    if registration is None:
        return {}
    ids = registration.identifiers or {}
    values = {
        "board_id": ids.get("abms_id", ""),
        "nabp_eprofile_id": ids.get("nabp_eprofile_id", ""),
        "birth_month": ids.get("birth_month"),
        "birth_day": ids.get("birth_day"),
        "abms_board": ids.get("abms_board", ""),
    }
    return {k: v for k, v in values.items() if v not in (None, "")}


def _live_claims(activity: Activity, person) -> list[Claim]:
    return list(
        Claim.objects.filter(activity=activity, person=person, status=ClaimStatus.CLAIMED)
        .select_related("designation")
        .prefetch_related("certificates")
        .order_by("credit_type", "board")
    )


def claim_options(activity: Activity, person) -> ClaimOptions:
    """What `person` may claim at `activity` now, and what stands in the way."""
    sessions = list(credit_sessions(activity))
    participation = learner_participation(activity, person, sessions)
    attended = [
        (s, participation.by_session[s.pk]) for s in sessions if s.pk in participation.by_session
    ]
    opens, closes, required = claim_window(activity)
    designations = list(
        Designation.objects.filter(activity=activity).order_by("credit_type", "board")
    )
    if not required and _types_need_evaluation(designations):
        # MOC [B3] and ECMEC [E3] need the evaluation whatever the setup says: the
        # standard form exists then, so that "no form" never lets a claim past it.
        ensure_activity_form(activity)
    eval_minutes = evaluation_minutes(activity, person)
    done = evaluation_done(activity, person)
    registration = _confirmed_registration(activity, person)
    claims = _live_claims(activity, person)
    live = {(c.credit_type, c.board): c for c in claims}
    offers: list[Offer] = []
    options_by_type: dict[str, dict] = {}
    order = {code: i for i, code in enumerate(REGISTRY)}
    for designation in sorted(designations, key=lambda d: (order.get(d.credit_type, 99), d.board)):
        credit_rule = REGISTRY.get(designation.credit_type)
        if credit_rule is None:
            continue  # a type nobody registered in this version: nothing to compute it with
        if designation.credit_type not in options_by_type:
            options_by_type[designation.credit_type] = provider_options(
                activity.provider, designation.credit_type
            )
        options = options_by_type[designation.credit_type]
        may = credit_rule.may_claim(person.profession or "")
        label = credit_rule.label
        if designation.board:
            label = f"{label} ({ABMS_BOARDS.get(designation.board, designation.board)})"
        offers.append(
            Offer(
                designation=designation,
                rule=credit_rule,
                key=choice_key(designation.credit_type, designation.board),
                label=label,
                unit_plural=credit_rule.unit_plural,
                may_claim=may,
                refusal="" if may else _refusal(credit_rule, person),
                supported=supported_amount(
                    credit_rule,
                    designation,
                    participation.minutes,
                    options,
                    evaluation_minutes=eval_minutes,
                ),
                step=credit_rule.step(options),
                least=least_amount(
                    credit_rule,
                    designation,
                    participation.minutes.total,
                    options,
                    evaluation_minutes=eval_minutes,
                ),
                needs=tuple(credit_rule.claim_needs),
                needs_reason=_needs_reason(credit_rule),
                reports_to_third_party=credit_rule.reports_to_third_party,
                live_claim=live.get((designation.credit_type, designation.board)),
            )
        )
    gate = required or _evaluation_gate(offers, evaluation_is_done=done)
    blockers = _blockers(
        activity,
        registration=registration,
        opens=opens,
        closes=closes,
        evaluation_required=gate,
        evaluation_is_done=done,
        minutes=participation.minutes.total,
        offers=offers,
    )
    return ClaimOptions(
        activity=activity,
        person=person,
        registration=registration,
        sessions=attended,
        total_minutes=participation.minutes.total,
        evaluation_minutes=eval_minutes,
        evaluation_required=required or any(o.rule.requires_evaluation for o in offers),
        evaluation_done=done,
        opens_at=opens,
        closes_at=closes,
        offers=offers,
        blockers=blockers,
        claims=claims,
        prefill=_prefill(registration),
        attestation=attestation_text(activity),
    )


def _types_need_evaluation(designations: list[Designation]) -> bool:
    """Whether a designated credit type needs the evaluation whatever the setup says."""
    return any(
        REGISTRY[d.credit_type].requires_evaluation
        for d in designations
        if d.credit_type in REGISTRY
    )


def _evaluation_gate(offers: list[Offer], *, evaluation_is_done: bool) -> bool:
    """Where the setup does not require the evaluation, the types that need it anyway
    (MOC [B3], ECMEC [E3]) still wait for it.

    True (the evaluation blocks every claim) when all the learner may claim waits for
    it; when other credit may be claimed without it, the waiting offers alone are
    refused, with the reason, and False is returned.
    """
    if evaluation_is_done:
        return False
    waiting = [
        o for o in offers if o.may_claim and o.rule.requires_evaluation and o.live_claim is None
    ]
    if not waiting:
        return False
    others = [o for o in offers if o.may_claim and not o.rule.requires_evaluation]
    if not others:
        return True
    for offer in waiting:
        offer.may_claim = False
        offer.refusal = _(
            "%(label)s needs the evaluation: complete it first, then claim this credit."
        ) % {"label": offer.label}
    return False


def _when(moment: dt.datetime, activity: Activity) -> str:
    local = moment.astimezone(activity.tz)
    return f"{local:%Y-%m-%d %H:%M} ({activity.time_zone})"


def _blockers(
    activity: Activity,
    *,
    registration,
    opens,
    closes,
    evaluation_required: bool,
    evaluation_is_done: bool,
    minutes: int,
    offers: list[Offer],
    now: dt.datetime | None = None,
) -> list[Blocker]:
    now = now or timezone.now()
    found: list[Blocker] = []
    if not offers:
        found.append(Blocker("no_credit", _("This activity offers no credit to claim.")))
    if registration is None:
        found.append(
            Blocker(
                "not_registered",
                _("Credit is for registered participants: you have no confirmed registration."),
            )
        )
    if opens is not None and now < opens:
        found.append(
            Blocker(
                "not_open",
                _("Claiming opens on %(when)s.") % {"when": _when(opens, activity)},
            )
        )
    if closes is not None and now >= closes:
        found.append(
            Blocker(
                "closed",
                _("Claiming closed on %(when)s.") % {"when": _when(closes, activity)},
            )
        )
    if evaluation_required and not evaluation_is_done:
        found.append(
            Blocker("evaluation", _("Complete the evaluation first: credit waits for it."))
        )
    if minutes <= 0:
        found.append(
            Blocker(
                "no_attendance",
                _(
                    "No attendance is recorded for you at the sessions that carry credit. If you "
                    "took part, ask the organisers to add your time."
                ),
            )
        )
    return found


# --- claiming ---------------------------------------------------------------------------------


# An amount has at most 4 digits before the point (the database keeps 6 digits, 2 decimals).
AMOUNT_LIMIT = Decimal(10000)


def _decimal(value) -> Decimal | None:
    """A finite number, or None; huge numbers ("1e30") come back as they are and
    `amount_problems` refuses them before any arithmetic on them."""
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}"


def amount_problems(
    amount,
    *,
    offer_label: str,
    unit_plural: str,
    supported: Decimal,
    maximum: Decimal,
    step: Decimal,
    least: Decimal,
    minutes: int,
    by_learner: bool = True,
) -> list[str]:
    """Why `amount` cannot be claimed (or given by a correction); empty when it can."""
    value = _decimal(amount)
    if value is None:
        return [_("Give the amount of %(label)s as a number.") % {"label": offer_label}]
    if value <= 0:
        return [_("Claim more than 0, or do not choose this credit.")]
    if value >= AMOUNT_LIMIT:
        return [
            _("Give the amount of %(label)s with at most 4 digits before the point.")
            % {"label": offer_label}
        ]
    if value != value.quantize(HUNDREDTH):
        return [_("Give the amount with at most two decimal places.")]
    if value > maximum:
        return [
            _("This activity is designated for at most %(max)s %(unit)s.")
            % {"max": _fmt(maximum), "unit": unit_plural}
        ]
    if value > supported:
        words = {"minutes": minutes, "most": _fmt(supported), "unit": unit_plural}
        if by_learner:
            return [
                _("You attended %(minutes)s minutes, which supports at most %(most)s %(unit)s.")
                % words
            ]
        return [
            _(
                "The attendance recorded for the learner, %(minutes)s minutes, supports at most "
                "%(most)s %(unit)s. Correct the attendance first if it is incomplete."
            )
            % words
        ]
    if value < least:
        return [
            _("The smallest claim of %(label)s is %(least)s.")
            % {"label": offer_label, "least": _fmt(least)}
        ]
    on_step = (value / step) == (value / step).to_integral_value()
    if not on_step and value != supported:
        return [
            _("%(label)s is claimed in steps of %(step)s; %(value)s is not one.")
            % {"label": offer_label, "step": _fmt(step), "value": _fmt(value)}
        ]
    return []


def _identifier_errors(
    needs: set[str],
    boards: list[str],
    *,
    board_id: str,
    nabp_eprofile_id: str,
    birth_month,
    birth_day,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if "board_id" in needs:
        for board in boards:
            problems = idchecks.board_id_problems(board, board_id or "")
            if problems:
                errors.setdefault("board_id", []).extend(problems)
    if "nabp_eprofile_id" in needs:
        problems = idchecks.eprofile_problems(nabp_eprofile_id or "")
        if problems:
            errors["nabp_eprofile_id"] = problems
    if "birth_month_day" in needs:
        problems = idchecks.birth_problems(_int(birth_month), _int(birth_day))
        if problems:
            errors["birth_day"] = problems
    return errors


def _int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _audit_claim(action: str, claim: Claim, *, by, before=None, after=None, note="") -> None:
    audit.record(
        action,
        actor=by,
        obj=claim,
        before=before,
        after=after,
        provider_id=claim.activity.provider_id,
        activity_id=claim.activity_id,
        note=note,
    )


def _claim_state(claim: Claim) -> dict:
    return audit.snapshot(
        claim,
        [
            "person",
            "designation",
            "credit_type",
            "board",
            "status",
            "measured_minutes",
            "amount",
            "sessions",
            "board_id",
            "nabp_eprofile_id",
            "birth_month",
            "birth_day",
            "consent_to_report",
            "reported_at",
        ],
    )


@transaction.atomic
def submit_claim(
    activity: Activity,
    person,
    *,
    choices: list[ClaimChoice],
    attest: bool,
    board_id: str = "",
    nabp_eprofile_id: str = "",
    birth_month: int | None = None,
    birth_day: int | None = None,
    consent_to_report: bool = False,
    certify: bool = True,
) -> list[Claim]:
    """Claim credit of one or more types at once: all of them, or none.

    `certify` False leaves the certificates to the activity's certificate batch
    (loading many claims at once); learners always get theirs at once.

    The learner's registration row is locked first, so two submissions cannot
    both pass the one-live-claim check. Side effects: one Claim per choice, one
    audit entry "credit.claim" per claim.
    """
    registration = _confirmed_registration(activity, person, lock=True)
    options = claim_options(activity, person)
    general = [b.message for b in options.blockers]
    if registration is None and not any(b.code == "not_registered" for b in options.blockers):
        general.append(_("Credit is for registered participants."))
    if general:
        raise ValidationError(general)
    errors: dict[str, list[str]] = {}
    if not attest:
        errors["attest"] = [
            _("Confirm the attestation: credit is claimed only for the time you took part.")
        ]
    if not choices:
        errors["choices"] = [_("Choose at least one kind of credit to claim.")]
    offers = {o.key: o for o in options.offers}
    seen: set[str] = set()
    chosen: list[tuple[Offer, Decimal]] = []
    for choice in choices:
        key = choice.key
        offer = offers.get(key)
        if key in seen:
            errors.setdefault(key, []).append(_("This credit is chosen twice."))
            continue
        seen.add(key)
        if offer is None:
            errors.setdefault("choices", []).append(
                _("This activity does not offer %(type)s.") % {"type": key}
            )
            continue
        if not offer.may_claim:
            errors.setdefault(key, []).append(offer.refusal)
            continue
        if offer.live_claim is not None:
            errors.setdefault(key, []).append(
                _(
                    "You have already claimed %(label)s. Withdraw that claim first if you "
                    "want to change it."
                )
                % {"label": offer.label}
            )
            continue
        problems = amount_problems(
            choice.amount,
            offer_label=offer.label,
            unit_plural=offer.unit_plural,
            supported=offer.supported,
            maximum=offer.maximum,
            step=offer.step,
            least=offer.least,
            minutes=options.total_minutes,
        )
        if problems:
            errors.setdefault(key, []).extend(problems)
            continue
        chosen.append((offer, _decimal(choice.amount).quantize(HUNDREDTH)))
    needs = {need for offer, _amount in chosen for need in offer.needs}
    boards = [offer.designation.board for offer, _amount in chosen if "board_id" in offer.needs]
    errors.update(
        _identifier_errors(
            needs,
            boards,
            board_id=board_id,
            nabp_eprofile_id=nabp_eprofile_id,
            birth_month=birth_month,
            birth_day=birth_day,
        )
    )
    reporting = [offer for offer, _amount in chosen if offer.reports_to_third_party]
    if reporting and not consent_to_report:
        errors["consent_to_report"] = [
            _(
                "%(labels)s reaches you only when we report it for you (MOC points go to your "
                "board through ACCME, pharmacy credit to CPE Monitor). Allow us to report it, "
                "or do not choose it."
            )
            % {"labels": ", ".join(o.label for o in reporting)}
        ]
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    participation_sessions = {str(s.pk): m for s, m in options.sessions}
    created: list[Claim] = []
    for offer, amount in chosen:
        keeps = set()
        for need in offer.needs:
            keeps.update(NEED_FIELDS.get(need, ()))
        claim = Claim(
            activity=activity,
            person=person,
            designation=offer.designation,
            credit_type=offer.designation.credit_type,
            board=offer.designation.board,
            status=ClaimStatus.CLAIMED,
            measured_minutes=options.total_minutes,
            amount=amount,
            sessions=participation_sessions,
            attested_at=now,
            attestation=options.attestation,
            board_id=(board_id or "").strip() if "board_id" in keeps else "",
            nabp_eprofile_id=(nabp_eprofile_id or "").strip()
            if "nabp_eprofile_id" in keeps
            else "",
            birth_month=_int(birth_month) if "birth_month" in keeps else None,
            birth_day=_int(birth_day) if "birth_day" in keeps else None,
            consent_to_report=bool(consent_to_report) and offer.reports_to_third_party,
            created=now,
        )
        try:
            with transaction.atomic():
                claim.save()
        except IntegrityError as exc:
            raise ValidationError(
                {offer.key: [_("You have already claimed %(label)s.") % {"label": offer.label}]}
            ) from exc
        claim.activity = activity
        _audit_claim(
            "credit.claim",
            claim,
            by=person,
            after={**_claim_state(claim), "attestation": claim.attestation},
        )
        created.append(claim)
    # The certificate is the learner's as soon as the claim stands: issued once the
    # claim is committed, so a rolled-back claim leaves no file behind.
    if certify:
        transaction.on_commit(lambda: _certify(created))
    return created


def _certify(claims: list[Claim]) -> None:
    for claim in claims:
        try:
            certificates.issue_certificate(claim, by=None)
        except Exception:
            # The claim stands without it; the activity's certificate batch issues it.
            logger.exception("certificate of claim %s not issued", claim.pk)


# --- withdrawal -------------------------------------------------------------------------------


def _is_credit_staff(user, activity: Activity) -> bool:
    return Permission.CREDIT in permission_set(user, activity.provider, activity)


def _retire_certificates(claim: Claim, *, by, reason: str) -> None:
    """A withdrawn claim's certificate stops being valid: revoke it, audited.

    Done here rather than by `certificates.revoke_certificate`, which only credit
    staff may call: a learner withdrawing their own claim revokes its certificate too.
    """
    now = timezone.now()
    current = Certificate.objects.select_for_update().filter(
        claim=claim, revoked_at__isnull=True, superseded_at__isnull=True
    )
    for cert in current:
        cert.revoked_at = now
        cert.revoked_reason = reason
        cert.revoked_by = by if getattr(by, "is_authenticated", False) else None
        cert.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
        audit.record(
            "credits.certificate_revoked",
            actor=by,
            obj=cert,
            before={"revoked_at": None},
            after={"revoked_at": now, "number": cert.number, "claim": claim.pk},
            note=reason,
            provider_id=claim.activity.provider_id,
            activity_id=claim.activity_id,
        )


@transaction.atomic
def withdraw_claim(claim: Claim, *, by, reason: str = "") -> Claim:
    """Withdraw a live claim before it was reported; the learner may then claim again.

    The learner withdraws their own claim; staff with the credit permission may
    withdraw any of the activity's claims, with a reason. Side effects: audit
    "credit.claim_withdrawn"; the claim's current certificate is revoked (audited).
    """
    claim = Claim.objects.select_for_update().select_related("activity__provider").get(pk=claim.pk)
    own = getattr(by, "pk", None) == claim.person_id
    if not own and not _is_credit_staff(by, claim.activity):
        raise PermissionDenied(_("Only the learner or credit staff may withdraw this claim."))
    if not own and not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for withdrawing this claim.")]})
    if claim.status != ClaimStatus.CLAIMED:
        raise ValidationError(_("This claim was already withdrawn."))
    _opens, closes, _required = claim_window(claim.activity)
    if own and closes is not None and timezone.now() >= closes:
        # Withdrawn now, it could not be claimed again: a trap, not a correction.
        raise ValidationError(
            _(
                "Claiming closed on %(when)s, so a withdrawn claim could not be made again; "
                "ask the CME office to correct it."
            )
            % {"when": _when(closes, claim.activity)}
        )
    if claim.reported_at is not None:
        raise ValidationError(
            _(
                "This claim was reported on %(date)s and can no longer be withdrawn here; "
                "ask the CME office."
            )
            % {"date": claim.reported_at.astimezone(claim.activity.tz).date().isoformat()}
        )
    before = _claim_state(claim)
    claim.status = ClaimStatus.WITHDRAWN
    claim.save(update_fields=["status", "updated"])
    text = (reason or "").strip() or _("Withdrawn by the learner.")
    _audit_claim(
        "credit.claim_withdrawn", claim, by=by, before=before, after=_claim_state(claim), note=text
    )
    _retire_certificates(claim, by=by, reason=_("The claim was withdrawn."))
    return claim


# --- staff corrections ------------------------------------------------------------------------


@dataclass(frozen=True)
class Measurement:
    minutes: int
    sessions: dict[str, int]
    supported: Decimal
    step: Decimal
    least: Decimal
    evaluation_minutes: int


def measure(claim: Claim) -> Measurement:
    """The claim's learner's attendance as recorded now, and what it supports for this claim."""
    activity = claim.activity
    credit_rule = REGISTRY[claim.credit_type]
    options = provider_options(activity.provider, claim.credit_type)
    participation = learner_participation(activity, claim.person)
    eval_minutes = evaluation_minutes(activity, claim.person)
    return Measurement(
        minutes=participation.minutes.total,
        sessions={str(k): v for k, v in sorted(participation.by_session.items())},
        supported=supported_amount(
            credit_rule,
            claim.designation,
            participation.minutes,
            options,
            evaluation_minutes=eval_minutes,
        ),
        step=credit_rule.step(options),
        least=least_amount(
            credit_rule,
            claim.designation,
            participation.minutes.total,
            options,
            evaluation_minutes=eval_minutes,
        ),
        evaluation_minutes=eval_minutes,
    )


def _lock_for_change(claim: Claim, by) -> Claim:
    claim = (
        Claim.objects.select_for_update()
        .select_related("activity__provider", "designation", "person")
        .get(pk=claim.pk)
    )
    if not _is_credit_staff(by, claim.activity):
        raise PermissionDenied(_("Only credit staff may change claims."))
    if claim.credit_type not in REGISTRY:
        raise ValidationError(_("This version of cmeconf does not know this credit type."))
    if claim.status != ClaimStatus.CLAIMED:
        raise ValidationError(_("This claim was withdrawn; it cannot be changed."))
    return claim


def _apply_change(
    claim: Claim,
    *,
    amount: Decimal,
    measured: Measurement,
    reason: str,
    by,
    action: str,
) -> ClaimCorrection:
    """The correction row and audit entry; `by` None is the platform itself."""
    before = _claim_state(claim)
    correction = ClaimCorrection.objects.create(
        claim=claim,
        before_amount=claim.amount,
        after_amount=amount,
        before_minutes=claim.measured_minutes,
        after_minutes=measured.minutes,
        reason=reason,
        corrected_by=by,
        corrected_at=timezone.now(),
    )
    claim.amount = amount
    claim.measured_minutes = measured.minutes
    claim.sessions = measured.sessions
    # A reported figure that changed must be reported again [B1][P5].
    changed = before["amount"] != str(amount)
    if changed and claim.reported_at is not None:
        claim.reported_at = None
    claim.save(update_fields=["amount", "measured_minutes", "sessions", "reported_at", "updated"])
    if changed and certificates.current_certificate(claim) is not None:
        # The certificate shows the credit awarded [M6]: a new one replaces it.
        certificates.issue_certificate(claim, by=None)
    _audit_claim(
        action,
        claim,
        by=by,
        before=before,
        after={**_claim_state(claim), "correction": correction.pk},
        note=reason,
    )
    return correction


@transaction.atomic
def correct_claim(claim: Claim, *, amount, reason: str, by) -> ClaimCorrection:
    """Staff set a claim's amount, with a reason.

    Never above the designated maximum nor above what the attendance recorded now
    supports [M3][M6]: to give more, fix the attendance first (attendance pages,
    audited), then correct or recompute. Side effects: a ClaimCorrection, audit
    "credit.claim_corrected"; a reported claim whose amount changed is marked
    unreported so that the next report carries the new figure; a current
    certificate is replaced by one showing the new amount.
    """
    claim = _lock_for_change(claim, by)
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Give the reason for the correction.")]
    credit_rule = REGISTRY[claim.credit_type]
    measured = measure(claim)
    problems = amount_problems(
        amount,
        offer_label=credit_rule.label,
        unit_plural=credit_rule.unit_plural,
        supported=measured.supported,
        maximum=claim.designation.maximum,
        step=measured.step,
        least=measured.least,
        minutes=measured.minutes,
        by_learner=False,
    )
    if problems:
        errors["amount"] = problems
    if errors:
        raise ValidationError(errors)
    value = _decimal(amount).quantize(HUNDREDTH)
    if value == claim.amount and measured.minutes == claim.measured_minutes:
        raise ValidationError({"amount": [_("This is the claim's amount already.")]})
    return _apply_change(
        claim,
        amount=value,
        measured=measured,
        reason=reason,
        by=by,
        action="credit.claim_corrected",
    )


def claimed_minutes(claim: Claim) -> Minutes:
    """The minutes the claim rested on, per local day too (ECMEC's daily cap [E1][E3]).

    The claim keeps {session id: minutes}; each session's minutes count on the local
    date of its start. Concurrent sessions are not merged here, so a day may come out
    higher than it was, which only makes "the claim was made for less" more likely:
    a claim is never raised because of it.
    """
    ids = []
    for key in claim.sessions or {}:
        try:
            ids.append(int(key))
        except (TypeError, ValueError):
            continue
    tz = claim.activity.tz
    by_day: dict[dt.date, int] = {}
    starts = dict(
        Session.objects.filter(pk__in=ids, start__isnull=False).values_list("pk", "start")
    )
    for key, value in (claim.sessions or {}).items():
        try:
            start = starts.get(int(key))
            minutes = int(value)
        except (TypeError, ValueError):
            continue
        if start is None or minutes <= 0:
            continue
        day = start.astimezone(tz).date()
        by_day[day] = by_day.get(day, 0) + minutes
    return Minutes(total=claim.measured_minutes, by_day=by_day)


@transaction.atomic
def recompute_claim(claim: Claim, *, by, reason: str) -> ClaimCorrection:
    """Measure the attendance again and fit the claim to it, within the caps.

    A claim made in full (the learner took all that attendance supported) follows
    the new figure up or down; a claim made for less stays as claimed unless the
    new figure is lower [M5]. Side effects: a ClaimCorrection, audit
    "credit.claim_recomputed".
    """
    claim = _lock_for_change(claim, by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for recomputing.")]})
    credit_rule = REGISTRY[claim.credit_type]
    options = provider_options(claim.activity.provider, claim.credit_type)
    measured = measure(claim)
    before_supported = supported_amount(
        credit_rule,
        claim.designation,
        claimed_minutes(claim),
        options,
        evaluation_minutes=measured.evaluation_minutes,
    )
    if claim.amount >= before_supported:
        amount = measured.supported
    else:
        amount = min(claim.amount, measured.supported)
    if amount == claim.amount and measured.minutes == claim.measured_minutes:
        raise ValidationError(
            _("The attendance recorded now gives the same figures; nothing changed.")
        )
    if amount <= 0:
        raise ValidationError(
            _(
                "No attendance is recorded for this learner any more. Withdraw the claim "
                "instead, with the reason."
            )
        )
    return _apply_change(
        claim,
        amount=amount,
        measured=measured,
        reason=reason,
        by=by,
        action="credit.claim_recomputed",
    )


def lower_to_maximum(designation: Designation, *, maximum: Decimal, by=None) -> list[Claim]:
    """Lower the live claims above a designation's new maximum to it [M3][M6].

    Called when a program change lowered the designation (`designation.recompute`),
    by the system (`by` None). Each claim goes through the correction path: a
    ClaimCorrection with the reason "The program changed: the designated maximum is
    now N." and no person as its author (the platform did it), audit
    "credit.claim_corrected", the claim marked unreported when it was reported, and a
    new certificate where one was current.
    """
    reason = _("The program changed: the designated maximum is now %(max)s.") % {
        "max": _fmt(maximum)
    }
    if by is None:
        reason += " " + _("Lowered by the system.")
    lowered: list[Claim] = []
    above = (
        Claim.objects.select_for_update()
        .select_related("activity__provider", "designation", "person")
        .filter(designation=designation, status=ClaimStatus.CLAIMED, amount__gt=maximum)
        .order_by("pk")
    )
    for claim in above:
        kept = Measurement(
            minutes=claim.measured_minutes,
            sessions=dict(claim.sessions or {}),
            supported=maximum,
            step=HUNDREDTH,
            least=Decimal("0.00"),
            evaluation_minutes=0,
        )
        _apply_change(
            claim,
            amount=maximum,
            measured=kept,
            reason=reason,
            by=by,
            action="credit.claim_corrected",
        )
        lowered.append(claim)
    return lowered


def live_claims_above(designation: Designation, maximum: Decimal) -> int:
    """How many live claims of the designation are above `maximum`."""
    return Claim.objects.filter(
        designation=designation, status=ClaimStatus.CLAIMED, amount__gt=maximum
    ).count()
