"""Designating credit: the maximum of each credit type an activity offers.

Rules (sources: docs/credits/sources.md):

- The maximum is computed from the program: the time covered by credit-eligible
  sessions of an educational format, concurrent sessions counted once [M1];
  breaks, meals, exhibits and non-accredited industry sessions excluded
  [M1][A12]; then the credit type's own arithmetic (AMA: 60 minutes one credit,
  to the nearest quarter hour, at least 0.25 [M1][M2]).
- Staff designate the computed maximum or less; less only with a reason, never
  more (the database refuses it too). A lowered maximum must be an amount the
  credit type gives for some whole number of minutes (AMA: quarter credits [M1]).
- Only types switched on for the provider, which it still holds the
  accreditation for; MOC designations name an ABMS board [B5]; ACPE credit
  carries a well-formed UAN [P1][P3] whose provider part is the provider's ACPE
  number where one is set; AAPA credit may carry the "not yet approved" wording
  until the review panel approves [AA1].
- In advance, never retroactively [M3] (and AAPA: no retroactive approval [AA1]).
  Decision: once the activity has started (midnight of its first day, in its
  time zone) no new designation is made and none is raised above what was
  designated in advance (`advance_maximum`, the highest maximum designated before
  the start): a maximum lowered after the start (a program edit, staff) may come
  back up to it, never above the computation; lowering (with a reason),
  correcting a UAN or the pending flag, and withdrawing stay possible.
- A claim never exceeds the designated maximum [M3][M6]: staff cannot lower a
  maximum below live claims (they correct or withdraw those first); a program
  change that lowers it lowers those claims too, by the correction path.
  `designated_at` keeps the time of the first designation, as evidence that it
  came in advance; every change after it is in the audit trail.
- When the program changes, `recompute` brings designations in line: a maximum
  the program no longer supports is lowered to the new computation (audited, with
  a system note); one the program now exceeds keeps its maximum, and the staff
  page says "the program now supports up to N".
- A designation with claims stays: withdrawing is possible only before any claim.
- Every change: audit trail ("credit.designate", "credit.designation_changed",
  "credit.recompute", "credit.withdraw") and a new program version, so that the
  cached public activity page shows the new statements.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cmeconf.activities.choices import NON_EDUCATIONAL_FORMATS
from cmeconf.activities.models import Activity, Session
from cmeconf.activities.services.activities import bump_program_version
from cmeconf.common import audit
from cmeconf.credits import identifiers, participation, provider_types
from cmeconf.credits import statements as wording
from cmeconf.credits.arithmetic import HUNDREDTH, Minutes
from cmeconf.credits.models import Designation, ProviderCreditType
from cmeconf.credits.types import REGISTRY, CreditRule
from cmeconf.registration.identifiers import ABMS_BOARDS

DESIGNATION_FIELDS = (
    "credit_type",
    "board",
    "computed_maximum",
    "computed_minutes",
    "maximum",
    "lowered_reason",
    "uan",
    "approval_pending",
)
ZERO = Decimal("0.00")
# A maximum has at most 4 digits before the point (the database keeps 6 digits, 2 decimals).
MAXIMUM_LIMIT = Decimal(10000)


# --- what a credit type asks of a designation -----------------------------------------------


def needs_uan(credit_rule: CreditRule) -> bool:
    """Pharmacy credit carries the activity's Universal Activity Number [P1]."""
    return "ACPE" in credit_rule.accreditors and not provider_types.open_to_everyone(credit_rule)


def may_be_pending(credit_rule: CreditRule) -> bool:
    """AAPA credit may be announced before the review panel approves it [AA1]."""
    return "AAPA" in credit_rule.accreditors and not provider_types.open_to_everyone(credit_rule)


def has_started(activity: Activity, now: dt.datetime | None = None) -> bool:
    """Midnight of the first day in the activity's time zone has passed [M3]."""
    return (now or timezone.now()) >= activity.local_bounds()[0]


# --- the computation ------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesBreakdown:
    """What the computed maximum rests on, for the staff page."""

    covered: int  # the union of the credit sessions: what the maximum is computed from
    scheduled: int  # the credit sessions' lengths added up
    credit_sessions: int
    breaks: int  # breaks, meals, exhibits, industry and promotional sessions
    not_eligible: int  # educational sessions marked "not eligible for credit"
    by_day: dict[dt.date, int] = field(default_factory=dict)

    @property
    def concurrent(self) -> int:
        """Minutes of parallel sessions that were counted once instead of several times."""
        return max(self.scheduled - self.covered, 0)


def breakdown(activity: Activity) -> MinutesBreakdown:
    sessions = list(
        Session.objects.filter(activity=activity, start__isnull=False, end__isnull=False).order_by(
            "start", "id"
        )
    )
    credit = [s for s in sessions if s.credit_eligible and s.format not in NON_EDUCATIONAL_FORMATS]
    minutes = participation.activity_minutes(activity, credit)
    return MinutesBreakdown(
        covered=minutes.total,
        scheduled=sum(s.minutes for s in credit),
        credit_sessions=len(credit),
        breaks=sum(s.minutes for s in sessions if s.format in NON_EDUCATIONAL_FORMATS),
        not_eligible=sum(
            s.minutes
            for s in sessions
            if not s.credit_eligible and s.format not in NON_EDUCATIONAL_FORMATS
        ),
        by_day=dict(minutes.by_day),
    )


def _rule(credit_type: str) -> CreditRule:
    return provider_types.rule_of(credit_type)


def compute(
    activity: Activity,
    credit_type: str,
    board: str = "",
    *,
    minutes: Minutes | None = None,
    options: dict | None = None,
) -> tuple[Decimal, int]:
    """(the maximum the program supports, the minutes it rests on) for one credit type.

    The minutes are the union of the credit sessions (concurrent time once,
    breaks and non-accredited time left out) [M1][A12]; the credit type's rule
    turns them into credit. `board` is accepted for MOC designations: every board
    gets the same computation (boards may award fewer points [B3], by lowering).
    """
    credit_rule = _rule(credit_type)
    found = participation.activity_minutes(activity) if minutes is None else minutes
    if options is None:
        options = provider_types.options_for(activity.provider, credit_type)
    if found.total <= 0:
        return ZERO, 0
    # The rule's designation arithmetic (ANCC adds the evaluation time [N1]).
    value = credit_rule.designation_amount(found, options)
    return value.quantize(HUNDREDTH), found.total


def _step_problem(credit_rule: CreditRule, options: dict, maximum: Decimal) -> str:
    """Why `maximum` is not a whole number of the type's steps (AMA: quarters [M1]); "" if it is."""
    step = Decimal(credit_rule.step(options))
    if step <= 0 or maximum % step == 0:
        return ""
    below = (maximum // step) * step
    return _(
        "%(label)s comes in steps of %(step)s: the nearest amounts are %(below)s and %(above)s."
    ) % {
        "label": credit_rule.label,
        "step": f"{step:.2f}",
        "below": f"{below:.2f}",
        "above": f"{below + step:.2f}",
    }


# --- designating ----------------------------------------------------------------------------


def _setting(activity: Activity, credit_rule: CreditRule) -> ProviderCreditType | None:
    provider = activity.provider
    setting = ProviderCreditType.objects.filter(
        provider=provider, credit_type=credit_rule.code, enabled=True
    ).first()
    if setting is None or not provider_types.may_switch_on(provider, credit_rule):
        return None
    return setting


def _as_decimal(value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(
            {"maximum": _("Give the maximum as a number, such as 6.25.")}
        ) from None
    if not number.is_finite():
        raise ValidationError({"maximum": _("Give the maximum as a number, such as 6.25.")})
    if abs(number) >= MAXIMUM_LIMIT:
        raise ValidationError(
            {"maximum": _("Give the maximum with at most 4 digits before the point.")}
        )
    if number != number.quantize(HUNDREDTH):
        raise ValidationError({"maximum": _("Give the maximum with at most two decimals.")})
    return number.quantize(HUNDREDTH)


def _snapshot(designation: Designation | None) -> dict | None:
    return audit.snapshot(designation, DESIGNATION_FIELDS) if designation is not None else None


def _record(action: str, designation: Designation, *, by, before, after, note: str = "") -> None:
    audit.record(
        action,
        actor=by,
        obj=designation,
        before=before,
        after=after,
        provider_id=designation.activity.provider_id,
        activity_id=designation.activity_id,
        note=note,
    )


@transaction.atomic
def designate(
    activity: Activity,
    credit_type: str,
    *,
    by,
    board: str = "",
    maximum: Decimal | str | None = None,
    lowered_reason: str = "",
    uan: str = "",
    approval_pending: bool = False,
) -> Designation:
    """Designate credit of one type (or change the designation of that type and board).

    `maximum` defaults to the computation. Raises ValidationError (by field where
    it helps) for a type not switched on, a missing or unknown board (MOC), a
    maximum above the computation or lowered without a reason, a malformed UAN,
    a maximum lowered below live claims (the message counts them and points to the
    Claims page) [M3][M6], and for a new designation once the activity has started or
    a maximum raised then above what was designated in advance [M3].
    Before the start, `advance_maximum` keeps the highest maximum designated.
    Side effects: audit "credit.designate" (new) or "credit.designation_changed";
    the activity's program version is bumped (cached public pages are dropped).
    """
    credit_rule = _rule(credit_type)
    setting = _setting(activity, credit_rule)
    if setting is None:
        raise ValidationError(
            _(
                "%(label)s is not switched on for %(provider)s. Switch it on in the provider's "
                "credit types first (it needs an accreditation by %(who)s)."
            )
            % {
                "label": credit_rule.label,
                "provider": activity.provider.name,
                "who": " or ".join(sorted(credit_rule.accreditors)) or "—",
            }
        )
    board = (board or "").strip()
    if credit_rule.per_board:
        if not board:
            raise ValidationError({"board": _("Choose the certifying board for MOC points.")})
        if board not in ABMS_BOARDS:
            raise ValidationError(
                {
                    "board": _("“%(board)s” is not a board that takes MOC points through ACCME.")
                    % {"board": board}
                }
            )
    elif board:
        raise ValidationError({"board": _("Only MOC points are designated per board.")})
    uan = (uan or "").strip().upper() if needs_uan(credit_rule) else ""
    approval_pending = bool(approval_pending) and may_be_pending(credit_rule)
    lowered_reason = (lowered_reason or "").strip()

    options = provider_types.typed_options(credit_rule, setting.options or {})
    minutes = participation.activity_minutes(activity)
    computed, computed_minutes = compute(
        activity, credit_type, board, minutes=minutes, options=options
    )
    if computed <= 0:
        raise ValidationError(
            _(
                "The program has no time that carries credit yet: schedule sessions that are "
                "eligible for credit (breaks, meals, exhibits and industry sessions never are)."
            )
        )
    value = computed if maximum in (None, "") else _as_decimal(maximum)
    if value <= 0:
        raise ValidationError({"maximum": _("The maximum must be more than zero.")})
    if value > computed:
        raise ValidationError(
            {
                "maximum": _(
                    "The maximum cannot be more than the %(computed)s the program supports "
                    "(%(minutes)s minutes of credit sessions, parallel sessions counted once)."
                )
                % {"computed": f"{computed:.2f}", "minutes": computed_minutes}
            }
        )
    if value < computed and not lowered_reason:
        raise ValidationError(
            {
                "lowered_reason": _(
                    "Say why the maximum is lower than the %(computed)s the program supports."
                )
                % {"computed": f"{computed:.2f}"}
            }
        )
    if value == computed:
        lowered_reason = ""
    # The computation itself stands even where it is not a whole step (a rule's minimum).
    problem = "" if value == computed else _step_problem(credit_rule, options, value)
    if problem:
        raise ValidationError({"maximum": problem})

    existing = (
        Designation.objects.select_for_update()
        .filter(activity=activity, credit_type=credit_type, board=board)
        .first()
    )
    started = has_started(activity)
    if started:
        if existing is None:
            raise ValidationError(
                _("The activity has started: credit is designated in advance, never afterwards.")
            )
        advance = _advance_maximum(existing)
        if value > existing.maximum and value > advance:
            raise ValidationError(
                {
                    "maximum": _(
                        "The activity has started: the maximum can be lowered (with a reason), "
                        "and raised again only up to the %(advance)s designated in advance, "
                        "not to %(value)s."
                    )
                    % {"advance": f"{advance:.2f}", "value": f"{value:.2f}"}
                }
            )
    if existing is not None and value < existing.maximum:
        _refuse_lowering_below_claims(existing, value)

    if needs_uan(credit_rule):
        if not uan:
            raise ValidationError(
                {"uan": _("Give the activity's UAN (Universal Activity Number).")}
            )
        uan_errors = list(
            credit_rule.designation_problems(
                wording.statement_context(
                    Designation(
                        activity=activity,
                        credit_type=credit_type,
                        board=board,
                        maximum=value,
                        computed_maximum=computed,
                        uan=uan,
                        approval_pending=approval_pending,
                    ),
                    options=options,
                )
            )
        )
        parsed = identifiers.parse_uan(uan)
        own = setting.identifier.strip()
        if parsed and re.fullmatch(r"\d{4}", own) and parsed.provider != own:
            uan_errors.append(
                _("This UAN starts with %(found)s, but your ACPE provider number is %(own)s.")
                % {"found": parsed.provider, "own": own}
            )
        if uan_errors:
            raise ValidationError({"uan": uan_errors})
    else:
        other = credit_rule.designation_problems(
            wording.statement_context(
                Designation(
                    activity=activity,
                    credit_type=credit_type,
                    board=board,
                    maximum=value,
                    computed_maximum=computed,
                    approval_pending=approval_pending,
                ),
                options=options,
            )
        )
        if other:
            raise ValidationError(list(other))

    before = _snapshot(existing)
    designation = existing or Designation(
        activity=activity,
        credit_type=credit_type,
        board=board,
        designated_by=by,
        designated_at=timezone.now(),
    )
    designation.computed_maximum = computed
    designation.computed_minutes = computed_minutes
    if started:
        # Kept as it was: a designation raised back after the start shows what came
        # in advance (filled in from the current maximum for older designations).
        designation.advance_maximum = _advance_maximum(designation)
    elif existing is None or value > _advance_maximum(existing):
        # The highest maximum designated before the start [M3].
        designation.advance_maximum = value
    designation.maximum = value
    designation.lowered_reason = lowered_reason
    designation.uan = uan
    designation.approval_pending = approval_pending
    after = _snapshot(designation)
    if before == after:
        return designation
    designation.save()
    _record(
        "credit.designate" if existing is None else "credit.designation_changed",
        designation,
        by=by,
        before=before,
        after=after,
        note=lowered_reason,
    )
    bump_program_version(activity)
    return designation


def _advance_maximum(designation: Designation) -> Decimal:
    """The highest maximum designated before the start [M3].

    Designations made before `advance_maximum` was kept have none: their maximum then
    is the best known figure (after the start it could only have been lowered).
    """
    if designation.advance_maximum is not None:
        return designation.advance_maximum
    return designation.maximum


def _refuse_lowering_below_claims(designation: Designation, value: Decimal) -> None:
    """Staff lowering a maximum below live claims: refused until those claims are
    corrected or withdrawn (a claim never exceeds the designated maximum [M3][M6])."""
    from cmeconf.credits.claims import live_claims_above

    above = live_claims_above(designation, value)
    if above:
        raise ValidationError(
            {
                "maximum": ngettext(
                    "%(n)d learner's claim is above %(value)s. Correct or withdraw it on the "
                    "activity's Claims page first, then lower the maximum.",
                    "%(n)d learners' claims are above %(value)s. Correct or withdraw them on "
                    "the activity's Claims page first, then lower the maximum.",
                    above,
                )
                % {"n": above, "value": f"{value:.2f}"}
            }
        )


@dataclass(frozen=True)
class Recomputed:
    designation: Designation
    before: Decimal  # the maximum before
    computed: Decimal  # what the program supports now

    @property
    def lowered(self) -> bool:
        return self.designation.maximum < self.before


@transaction.atomic
def recompute(activity: Activity, *, by=None) -> list[Recomputed]:
    """Bring the designations in line with the program after it changed.

    A maximum the program no longer supports is lowered to the new computation, and
    the live claims above it are lowered to it (`claims.lower_to_maximum`: a
    correction with the reason, audited, a new certificate where one was current);
    a computation that grew leaves the maximum alone (staff may designate more
    while the activity has not started). `by` is None when the system does it.
    Side effects: audit "credit.recompute" per changed designation; the program
    version is bumped when a maximum changed.
    """
    designations = list(
        Designation.objects.select_for_update()
        .filter(activity=activity)
        .select_related("activity", "activity__provider")
    )
    if not designations:
        return []
    minutes = participation.activity_minutes(activity)
    changed: list[Recomputed] = []
    any_lowered = False
    for designation in designations:
        if designation.credit_type not in REGISTRY:
            continue
        computed, computed_minutes = compute(
            activity, designation.credit_type, designation.board, minutes=minutes
        )
        if (
            computed == designation.computed_maximum
            and computed_minutes == designation.computed_minutes
        ):
            continue
        before = _snapshot(designation)
        old_maximum = designation.maximum
        note = ""
        designation.computed_maximum = computed
        designation.computed_minutes = computed_minutes
        if computed < designation.maximum:
            # Before the lowering: what was designated in advance, so that putting the
            # program right after the start lets staff raise the maximum back [M3].
            designation.advance_maximum = _advance_maximum(designation)
            designation.maximum = computed
            designation.lowered_reason = ""
            any_lowered = True
            note = _(
                "Lowered by the system: the program changed and now supports %(computed)s "
                "(%(minutes)s minutes of credit sessions) instead of %(old)s."
            ) % {
                "computed": f"{computed:.2f}",
                "minutes": computed_minutes,
                "old": f"{old_maximum:.2f}",
            }
        designation.save()
        _record(
            "credit.recompute",
            designation,
            by=by,
            before=before,
            after=_snapshot(designation),
            note=note,
        )
        if designation.maximum < old_maximum:
            # Claims above the new maximum follow it, by the correction path.
            from cmeconf.credits.claims import lower_to_maximum

            lower_to_maximum(designation, maximum=designation.maximum, by=by)
        changed.append(Recomputed(designation, old_maximum, computed))
    if any_lowered:
        bump_program_version(activity)
    return changed


@transaction.atomic
def withdraw(designation: Designation, *, by, reason: str) -> None:
    """Withdraw a designation that no learner has claimed against.

    Raises ValidationError without a reason or once a claim exists (claims are
    records the accreditor may ask for [M3][C5]).
    Side effects: audit "credit.withdraw" with the designation as it was; the
    program version is bumped.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the designation is withdrawn.")})
    if designation.claims.exists():
        raise ValidationError(
            _(
                "Learners have claimed this credit, so the designation stays; lower it instead "
                "if the program changed."
            )
        )
    activity = designation.activity
    _record(
        "credit.withdraw",
        designation,
        by=by,
        before=_snapshot(designation),
        after=None,
        note=reason,
    )
    designation.delete()
    bump_program_version(activity)


# --- what pages show ------------------------------------------------------------------------


def _options_by_type(activity: Activity) -> dict[str, dict]:
    return {
        s.credit_type: provider_types.typed_options(REGISTRY[s.credit_type], s.options or {})
        for s in ProviderCreditType.objects.filter(provider=activity.provider)
        if s.credit_type in REGISTRY
    }


def designations_for_page(activity: Activity) -> list[tuple[Designation, list[str]]]:
    """The activity's designations with their statements, in the registry's order.

    A designation lowered to nothing (the program lost all its credit time) is left out.
    """
    options = _options_by_type(activity)
    order = {code: n for n, code in enumerate(REGISTRY)}
    found = [
        d
        for d in Designation.objects.filter(activity=activity).select_related(
            "activity", "activity__provider"
        )
        if d.credit_type in REGISTRY and d.maximum > 0
    ]
    found.sort(key=lambda d: (order[d.credit_type], d.board))
    joint = wording.joint_statement(activity.provider) if found else ""
    result = []
    for d in found:
        credit_rule = REGISTRY[d.credit_type]
        ctx = wording.statement_context(d, options=options.get(d.credit_type, {}))
        result.append((d, wording.pair(credit_rule, ctx, joint=joint)))
    return result


@dataclass(frozen=True)
class Part:
    """A piece of a statement; `em` for the trademarked credit phrase, set in italics [M11]."""

    text: str
    em: bool = False


@dataclass(frozen=True)
class StatementBlock:
    heading: str
    paragraphs: tuple[tuple[Part, ...], ...]


def statement_parts(text: str, credit_rule: CreditRule) -> tuple[Part, ...]:
    """Split out the trademarked unit ("AMA PRA Category 1 Credits™") to set it in italics."""
    phrases = [p for p in (credit_rule.unit_plural, credit_rule.unit) if p and "™" in p]
    if not phrases:
        return (Part(text),)
    pattern = re.compile("(" + "|".join(re.escape(p) for p in phrases) + ")")
    parts = []
    for n, piece in enumerate(pattern.split(text)):
        if piece:
            parts.append(Part(piece, em=n % 2 == 1))
    return tuple(parts)


def blocks(pairs: list[tuple[Designation, list[str]]]) -> list[StatementBlock]:
    """One block per designation: its accreditation statement, then its designation statement.

    An accreditation statement already printed above (AMA credit and MOC points both
    rest on the ACCME accreditation) is not repeated.
    """
    seen: set[str] = set()
    found: list[StatementBlock] = []
    for d, (accredited, designated) in pairs:
        credit_rule = REGISTRY[d.credit_type]
        paragraphs = []
        if accredited not in seen:
            seen.add(accredited)
            paragraphs.append(statement_parts(accredited, credit_rule))
        paragraphs.append(statement_parts(designated, credit_rule))
        heading = f"{credit_rule.label} ({d.board})" if d.board else credit_rule.label
        found.append(StatementBlock(heading, tuple(paragraphs)))
    return found


def statement_blocks(activity: Activity) -> list[StatementBlock]:
    """What the public activity page shows (registered as a hook in CreditsConfig.ready)."""
    return blocks(designations_for_page(activity))


# --- the staff page's overview --------------------------------------------------------------


@dataclass
class TypeRow:
    """One switched-on credit type on the activity's credit page."""

    rule: CreditRule
    setting: ProviderCreditType
    computed: Decimal
    minutes: int
    designations: list[Designation]
    preview: list[StatementBlock]
    needs_uan: bool
    may_be_pending: bool

    @property
    def code(self) -> str:
        return self.rule.code


def overview(activity: Activity) -> tuple[MinutesBreakdown, list[TypeRow], list[Designation]]:
    """(minutes, one row per switched-on type, designations of types no longer switched on)."""
    minutes_found = breakdown(activity)
    minutes = Minutes(total=minutes_found.covered, by_day=minutes_found.by_day)
    by_type: dict[str, list[Designation]] = {}
    for d in Designation.objects.filter(activity=activity).order_by("credit_type", "board"):
        by_type.setdefault(d.credit_type, []).append(d)
    rows = []
    for setting in provider_types.enabled_settings(activity.provider):
        credit_rule = REGISTRY[setting.credit_type]
        options = provider_types.typed_options(credit_rule, setting.options or {})
        computed, total = compute(activity, setting.credit_type, minutes=minutes, options=options)
        designations = by_type.pop(setting.credit_type, [])
        # The statements as they stand, or as designating the computation would print them.
        shown = designations or (
            [Designation(activity=activity, credit_type=setting.credit_type, maximum=computed)]
            if computed > 0
            else []
        )
        rows.append(
            TypeRow(
                rule=credit_rule,
                setting=setting,
                computed=computed,
                minutes=total,
                designations=designations,
                preview=blocks([(d, wording.statements(d)) for d in shown if d.maximum > 0]),
                needs_uan=needs_uan(credit_rule),
                may_be_pending=may_be_pending(credit_rule),
            )
        )
    orphans = [d for ds in by_type.values() for d in ds]
    return minutes_found, rows, orphans
